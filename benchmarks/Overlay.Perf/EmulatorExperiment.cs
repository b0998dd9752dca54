using System.Diagnostics;
using System.Globalization;
using Overlay.Buffers;

namespace Overlay.Perf;

/// <summary>
/// Accuracy and cost of the bandwidth emulator: one link limited to 10 KB/s … 100 MB/s, 5 KB messages, measured
/// over a window; ratio of measured to configured rate, and process CPU time per MB. An unlimited run beside it
/// gives the cost of the limiter itself at the top rate.
/// </summary>
internal static class EmulatorExperiment
{
    private static readonly double[] Rates = [10e3, 100e3, 1e6, 10e6, 100e6];

    public static async Task<int> RunAsync(double seconds, TextWriter output)
    {
        output.WriteLine("Bandwidth emulator accuracy: one link, 5 KB messages, limit on the sender's link bucket");
        output.WriteLine($"  date {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, window {seconds} s after a 1 s warm-up");
        var pool = new MessagePool();
        var rows = new List<IReadOnlyList<string>>();
        var csv = new List<string> { "configured_bytes_per_s,measured_bytes_per_s,ratio,cpu_ms_per_mb,process_cpu_share_of_one_core" };
        foreach (var rate in Rates.Append(double.PositiveInfinity))
        {
            var (measured, cpuPerMb, cpuShare) = await MeasureAsync(pool, double.IsPositiveInfinity(rate) ? null : rate, seconds);
            var ratio = double.IsPositiveInfinity(rate) ? double.NaN : measured / rate;
            rows.Add([
                Format(rate), Format(measured), double.IsNaN(ratio) ? "-" : ratio.ToString("P2", CultureInfo.InvariantCulture),
                cpuPerMb.ToString("N3", CultureInfo.InvariantCulture), cpuShare.ToString("P1", CultureInfo.InvariantCulture)]);
            csv.Add(string.Create(CultureInfo.InvariantCulture, $"{(double.IsPositiveInfinity(rate) ? "unlimited" : rate.ToString(CultureInfo.InvariantCulture))},{measured:F0},{ratio:F4},{cpuPerMb:F4},{cpuShare:F4}"));
            output.WriteLine($"  {Format(rate)} done");
        }

        output.WriteLine();
        TextTable.Write(output, ["configured", "measured", "measured/configured", "CPU ms/MB", "process CPU (one core = 100 %)"], rows);
        output.WriteLine();
        output.WriteLine("measured = bytes between the first and the last send completed in the window / the time between them,");
        output.WriteLine("so a slow link is not judged by how many whole messages happen to fall in the window.");
        output.WriteLine("process CPU covers both nodes, their loops and timers, and the kernel's loopback copies, not only the limiter.");

        var path = Path.Combine(ResultsDirectory.Locate(), "emulator.csv");
        await File.WriteAllLinesAsync(path, csv);
        output.WriteLine($"CSV written to {Path.GetFullPath(path)}");
        return pool.Outstanding == 0 ? 0 : 1;
    }

    private static async Task<(double Measured, double CpuPerMb, double CpuShare)> MeasureAsync(MessagePool pool, double? rate, double seconds)
    {
        var relay = new Forward();
        var a = new OverlayNode(new OverlayNodeOptions { Pool = pool, SocketBufferSize = rate < 1e6 ? 16 * 1024 : null }, relay);
        var b = new OverlayNode(new OverlayNodeOptions { Pool = pool }, new Forward());
        await a.StartAsync();
        await b.StartAsync();
        try
        {
            relay.Next = b.Id;
            a.SetLinkBandwidth(b.Id, LinkDirection.Downstream, rate);
            await a.DeploySourceAsync(1, new SourceOptions { PayloadLength = 5 * 1024, Fill = static _ => { } });
            await Task.Delay(1000);
            var process = Process.GetCurrentProcess();
            var cpuBefore = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            var window = TimeSpan.FromSeconds(seconds);
            long? firstBytes = null;
            var firstAt = TimeSpan.Zero;
            var lastBytes = Bytes(a, b);
            var lastAt = TimeSpan.Zero;
            var previous = lastBytes;
            while (clock.Elapsed < window)
            {
                await Task.Delay(5);
                var now = Bytes(a, b);
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

            var elapsed = clock.Elapsed.TotalSeconds;
            process.Refresh();
            var cpu = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds;
            var span = (lastAt - firstAt).TotalSeconds;
            var measured = firstBytes is { } first && span > 0 ? (lastBytes - first) / span : 0;
            return (measured, cpu / Math.Max(measured * elapsed / 1e6, 1e-9), cpu / 1000 / elapsed);
        }
        finally
        {
            await a.StopAsync();
            await b.StopAsync();
        }
    }

    /// <summary>Sends its own source's messages to <see cref="Next"/>; consumes everything else.</summary>
    internal sealed class Forward : Algorithm
    {
        public NodeId? Next { get; set; }

        public override Disposition Process(Message message)
        {
            if (message.Type != MessageTypes.Data || message.From != Self || Next is not { } next)
                return base.Process(message);
            Send(message, next);
            return Disposition.Forwarded;
        }
    }

    private static long Bytes(OverlayNode a, OverlayNode b) => a.GetStatistics().Find(b.Id, LinkDirection.Downstream)?.Bytes ?? 0;

    private static string Format(double rate) =>
        double.IsPositiveInfinity(rate) ? "unlimited"
        : rate >= 1e6 ? string.Create(CultureInfo.InvariantCulture, $"{rate / 1e6:N2} MB/s")
        : string.Create(CultureInfo.InvariantCulture, $"{rate / 1e3:N2} KB/s");
}
