using System.Diagnostics;

namespace Overlay.Testing;

/// <summary>Measures the throughput of named links from their senders' counters over a window (or of any named byte counters).</summary>
internal static class LinkRates
{
    public static Task<Dictionary<string, double>> MeasureAsync(
        IReadOnlyDictionary<string, (OverlayNode From, OverlayNode To)> links, TimeSpan window) =>
        MeasureAsync(
            links.ToDictionary(l => l.Key, l => (Func<long>)(() => l.Value.From.GetStatistics().Find(l.Value.To.Id, LinkDirection.Downstream)?.Bytes ?? 0)),
            window);

    /// <summary>The growth per second of each named byte counter over <paramref name="window"/>.</summary>
    public static async Task<Dictionary<string, double>> MeasureAsync(IReadOnlyDictionary<string, Func<long>> counters, TimeSpan window)
    {
        var before = counters.ToDictionary(c => c.Key, c => c.Value());
        var clock = Stopwatch.StartNew();
        await Task.Delay(window);
        var after = counters.ToDictionary(c => c.Key, c => c.Value());
        var seconds = clock.Elapsed.TotalSeconds;
        return counters.Keys.ToDictionary(name => name, name => (after[name] - before[name]) / seconds);
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

    /// <summary>
    /// Measures with <paramref name="measure"/> until every named rate is within <paramref name="tolerance"/> of its
    /// expected value in two consecutive windows, or time runs out; returns the last window's rates. One lucky window
    /// (a burst draining, a stall ending) is not enough: the rates must hold.
    /// </summary>
    public static async Task<Dictionary<string, double>> ConvergeAsync(
        IReadOnlyDictionary<string, double> expected, double tolerance, TimeSpan timeout, Func<Task<Dictionary<string, double>>> measure)
    {
        var deadline = DateTime.UtcNow + timeout;
        var inTolerance = 0;
        while (true)
        {
            var rates = await measure();
            var converged = expected.All(e => Math.Abs(rates[e.Key] - e.Value) <= tolerance * e.Value);
            inTolerance = converged ? inTolerance + 1 : 0;
            if (inTolerance >= 2 || DateTime.UtcNow > deadline)
                return rates;
        }
    }

    public static string Format(Dictionary<string, double> rates) =>
        string.Join(", ", rates.Select(r => $"{r.Key} {r.Value / 1000:F1}"));
}
