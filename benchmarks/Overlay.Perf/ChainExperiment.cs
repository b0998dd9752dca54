using Overlay.Buffers;

namespace Overlay.Perf;

/// <summary>Measures chains of each requested length, first with overlay nodes, then with raw sockets.</summary>
internal static class ChainExperiment
{
    public static async Task<List<ChainRow>> RunAsync(PerfOptions options, MessagePool pool, TextWriter progress)
    {
        var warmup = TimeSpan.FromSeconds(options.WarmupSeconds);
        var duration = TimeSpan.FromSeconds(options.Seconds);
        // An empty fill skips the per-byte pattern the default source writes.
        Action<Message>? fill = options.PatternFill ? null : static _ => { };
        await WarmUpProcessAsync(options, pool, fill, progress);

        var rows = new List<ChainRow>();
        foreach (var length in options.Sizes)
        {
            progress.Write($"  N={length,-3} engine ");
            Measurement engine;
            await using (var chain = await EngineChain.StartAsync(length, options.PayloadLength, options.BufferCapacity, pool, fill))
                engine = await Measurement.TakeAsync(chain.Delivered, warmup, duration);
            var outstanding = pool.Outstanding;
            progress.Write($"{engine.MessagesPerSecond,12:N0} msg/s, raw ");

            Measurement raw;
            await using (var chain = await RawChain.StartAsync(length, options.PayloadLength, options.BufferCapacity))
                raw = await Measurement.TakeAsync(chain.Delivered, warmup, duration);
            progress.WriteLine($"{raw.MessagesPerSecond,12:N0} msg/s, pool outstanding after stop {outstanding}");

            rows.Add(new ChainRow(length, engine, raw, outstanding));
        }

        return rows;
    }

    /// <summary>
    /// Runs both kinds of chain once, unmeasured: the first chain of a process otherwise runs partly on
    /// unoptimized (tier-0) code, which would penalize whichever size comes first.
    /// </summary>
    private static async Task WarmUpProcessAsync(PerfOptions options, MessagePool pool, Action<Message>? fill, TextWriter progress)
    {
        var duration = TimeSpan.FromSeconds(Math.Max(1, options.WarmupSeconds));
        progress.WriteLine($"  process warm-up: {duration.TotalSeconds:0.#} s engine, {duration.TotalSeconds:0.#} s raw, 3 nodes, unmeasured");
        await using (await EngineChain.StartAsync(3, options.PayloadLength, options.BufferCapacity, pool, fill))
            await Task.Delay(duration);
        await using (await RawChain.StartAsync(3, options.PayloadLength, options.BufferCapacity))
            await Task.Delay(duration);
    }
}
