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

    public static string Format(Dictionary<string, double> rates) =>
        string.Join(", ", rates.Select(r => $"{r.Key} {r.Value / 1000:F1}"));

    private static Dictionary<string, long> Snapshot(IReadOnlyDictionary<string, (OverlayNode From, OverlayNode To)> links) =>
        links.ToDictionary(
            l => l.Key,
            l => l.Value.From.GetStatistics().Find(l.Value.To.Id, LinkDirection.Downstream)?.Bytes ?? 0);
}
