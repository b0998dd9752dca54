namespace Overlay.Core.Tests.Support;

/// <summary>Byte counters of live links, read from the statistics any thread may take.</summary>
internal static class Counters
{
    /// <summary>Bytes <paramref name="node"/> has received from <paramref name="peer"/> (counted as frames arrive, before any emulated download wait).</summary>
    public static long Received(OverlayNode node, OverlayNode peer) => node.GetStatistics().Find(peer.Id, LinkDirection.Upstream)?.Bytes ?? 0;

    /// <summary>Bytes <paramref name="node"/> has written to <paramref name="peer"/>.</summary>
    public static long Sent(OverlayNode node, OverlayNode peer) => node.GetStatistics().Find(peer.Id, LinkDirection.Downstream)?.Bytes ?? 0;

    /// <summary>
    /// Waits until <paramref name="counter"/> has grown by <paramref name="warmUp"/> bytes (past start-up and any
    /// change of limit), then measures its growth per second over <paramref name="window"/>.
    /// </summary>
    public static async Task<double> RateAfterAsync(Func<long> counter, long warmUp, TimeSpan window)
    {
        var start = counter();
        if (!await Eventually.TrueAsync(() => counter() >= start + warmUp, TimeSpan.FromSeconds(30)))
            return 0;
        var rates = await LinkRates.MeasureAsync(new Dictionary<string, Func<long>> { ["rate"] = counter }, window);
        return rates["rate"];
    }
}
