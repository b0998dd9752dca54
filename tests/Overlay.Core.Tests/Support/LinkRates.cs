using System.Diagnostics;

namespace Overlay.Core.Tests.Support;

/// <summary>Measures the throughput of named links from their senders' counters over a window.</summary>
internal static class LinkRates
{
    public static async Task<Dictionary<string, double>> MeasureAsync(
        IReadOnlyDictionary<string, (OverlayNode From, OverlayNode To)> links, TimeSpan window)
    {
        var before = Snapshot(links);
        var clock = Stopwatch.StartNew();
        await Task.Delay(window);
        var after = Snapshot(links);
        var seconds = clock.Elapsed.TotalSeconds;
        return links.Keys.ToDictionary(name => name, name => (after[name] - before[name]) / seconds);
    }

    /// <summary>
    /// The rate of one link from the first to the last change of its byte counter within the window, so that whole
    /// batches falling in or out at the window's edges do not skew a slow link.
    /// </summary>
    public static async Task<double> MeasureSteadyAsync(OverlayNode from, OverlayNode to, TimeSpan window)
    {
        long Bytes() => from.GetStatistics().Find(to.Id, LinkDirection.Downstream)?.Bytes ?? 0;
        var clock = Stopwatch.StartNew();
        var previous = Bytes();
        long? firstBytes = null;
        TimeSpan firstAt = default, lastAt = default;
        var lastBytes = previous;
        while (clock.Elapsed < window)
        {
            await Task.Delay(5);
            var now = Bytes();
            if (now == previous)
                continue;
            previous = now;
            if (firstBytes is null)
            {
                firstBytes = now;
                firstAt = clock.Elapsed;
            }

            lastBytes = now;
            lastAt = clock.Elapsed;
        }

        var span = (lastAt - firstAt).TotalSeconds;
        return firstBytes is { } first && span > 0 ? (lastBytes - first) / span : 0;
    }

    public static string Format(Dictionary<string, double> rates) =>
        string.Join(", ", rates.Select(r => $"{r.Key} {r.Value / 1000:F1}"));

    private static Dictionary<string, long> Snapshot(IReadOnlyDictionary<string, (OverlayNode From, OverlayNode To)> links) =>
        links.ToDictionary(
            l => l.Key,
            l => l.Value.From.GetStatistics().Find(l.Value.To.Id, LinkDirection.Downstream)?.Bytes ?? 0);
}
