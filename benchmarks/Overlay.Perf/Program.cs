using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using Overlay.Buffers;

namespace Overlay.Perf;

/// <summary>
/// Throughput experiments over loopback TCP: <c>chain</c> is the paper's Fig. 5 (5 KB messages through a chain of
/// N nodes), <c>small</c> pushes 64-byte messages through 1 and 3 switches. Each is measured beside a raw-socket
/// chain of the same shape. Further experiments: <c>emulator</c>, <c>failures</c>, <c>footprint</c> (memory per
/// connection), <c>scale</c> (1,000 virtual nodes), <c>iperf3</c> (two nodes against iperf3) and <c>plot</c> (PNGs
/// of the chain and footprint results).
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        if (args.Length > 0 && args[0] == "emulator")
            return await EmulatorExperiment.RunAsync(SecondsArgument(args, 5), Console.Out);
        if (args.Length > 0 && args[0] == "failures")
            return await FailureExperiment.RunAsync((int)SecondsArgument(args, 20, "--trials"), Console.Out);
        if (args.Length > 0 && args[0] == "footprint")
            return await FootprintExperiment.RunAsync(args, Console.Out);
        if (args.Length > 0 && args[0] == "scale")
            return await ScaleExperiment.RunAsync(args, Console.Out);
        if (args.Length > 0 && args[0] == "iperf3")
            return await IperfExperiment.RunAsync(args, Console.Out);
        if (args.Length > 0 && args[0] == "plot")
            return PlotExperiment.Run(Console.Out);
        var options = PerfOptions.Parse(args, Console.Error);
        if (options is null)
            return 2;

        var output = Console.Out;
        WriteHeader(output, options);
        var pool = new MessagePool();
        output.WriteLine("Progress:");
        var rows = await ChainExperiment.RunAsync(options, pool, output);
        output.WriteLine();

        if (options.Mode == "small")
        {
            WriteSmallTable(output, rows);
        }
        else
        {
            WriteChainTable(output, rows);
            WriteScaling(output, rows);
            var csv = options.CsvPath ?? Path.Combine(ResultsDirectory.Locate(), "chain.csv");
            WriteCsv(csv, rows);
            output.WriteLine();
            output.WriteLine($"CSV written to {Path.GetFullPath(csv)}");
        }

        var outstanding = pool.Outstanding;
        output.WriteLine();
        output.WriteLine($"Pool at the end: {outstanding} outstanding, {pool.TotalRented:N0} rented in all, {pool.DoubleReleases} double releases.");
        return outstanding == 0 && pool.DoubleReleases == 0 ? 0 : 1;
    }

    private static double SecondsArgument(string[] args, double fallback, string name = "--seconds")
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? double.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static void WriteHeader(TextWriter output, PerfOptions options)
    {
        output.WriteLine(options.Mode == "small"
            ? "Small messages through a chain of overlay nodes vs raw TCP relays"
            : "Chain of N overlay nodes vs raw TCP relays (iOverlay Fig. 5)");
        output.WriteLine($"  date            {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        output.WriteLine($"  machine         {Environment.ProcessorCount} logical cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, {(GCSettings.IsServerGC ? "server" : "workstation")} GC");
        output.WriteLine($"  payload         {options.PayloadLength} bytes + 24-byte header per message, buffer capacity {options.BufferCapacity} messages per link");
        output.WriteLine($"  source          engine: unlimited SourceOptions source, {(options.PatternFill ? "pattern fill" : "no fill")}; raw: {options.BufferCapacity} frames per write, no fill");
        output.WriteLine($"  windows         {options.WarmupSeconds:0.###} s warm-up, {options.Seconds:0.###} s measured, per chain and per kind");
        output.WriteLine("  units           MB = 10^6 payload bytes at the sink; total = end-to-end x links; CPU = whole-process CPU time; cores = CPU time / wall time");
        output.WriteLine();
    }

    private static void WriteChainTable(TextWriter output, List<ChainRow> rows)
    {
        string[] headers =
        [
            "N", "engine MB/s", "engine total MB/s", "engine msg/s", "engine CPU ms/MB", "engine alloc B/msg", "engine cores",
            "raw MB/s", "raw total MB/s", "raw CPU ms/MB", "raw cores", "engine/raw",
        ];
        var cells = rows.Select(r => (IReadOnlyList<string>)
        [
            r.Length.ToString(CultureInfo.InvariantCulture),
            r.Engine.MegabytesPerSecond.ToString("N1"),
            r.EngineTotalMegabytesPerSecond.ToString("N1"),
            r.Engine.MessagesPerSecond.ToString("N0"),
            r.Engine.CpuMillisecondsPerMegabyte.ToString("N2"),
            r.Engine.AllocatedBytesPerMessage.ToString("N1"),
            r.Engine.CoresBusy.ToString("N2"),
            r.Raw.MegabytesPerSecond.ToString("N1"),
            r.RawTotalMegabytesPerSecond.ToString("N1"),
            r.Raw.CpuMillisecondsPerMegabyte.ToString("N2"),
            r.Raw.CoresBusy.ToString("N2"),
            r.Ratio.ToString("N2"),
        ]).ToList();
        TextTable.Write(output, headers, cells);
    }

    private static void WriteScaling(TextWriter output, List<ChainRow> rows)
    {
        var two = rows.Find(r => r.Length == 2);
        if (two is null)
            return;
        output.WriteLine();
        if (rows.Find(r => r.Length == 3) is { } three)
        {
            output.WriteLine(
                $"Per-switch overhead 1 - total(3)/total(2): engine {1 - (three.EngineTotalMegabytesPerSecond / two.EngineTotalMegabytesPerSecond):P1}, " +
                $"raw {1 - (three.RawTotalMegabytesPerSecond / two.RawTotalMegabytesPerSecond):P1}");
        }

        if (rows.Find(r => r.Length == 32) is { } thirtyTwo)
        {
            output.WriteLine(
                $"total(32)/total(2): engine {thirtyTwo.EngineTotalMegabytesPerSecond / two.EngineTotalMegabytesPerSecond:N2}, " +
                $"raw {thirtyTwo.RawTotalMegabytesPerSecond / two.RawTotalMegabytesPerSecond:N2}");
        }
    }

    private static void WriteSmallTable(TextWriter output, List<ChainRow> rows)
    {
        string[] headers =
        [
            "N", "switches", "engine msg/s", "engine MB/s", "engine CPU us/msg", "engine alloc B/msg", "engine cores",
            "raw msg/s", "raw MB/s", "raw CPU us/msg", "raw cores", "engine/raw",
        ];
        var cells = rows.Select(r => (IReadOnlyList<string>)
        [
            r.Length.ToString(CultureInfo.InvariantCulture),
            (r.Length - 2).ToString(CultureInfo.InvariantCulture),
            r.Engine.MessagesPerSecond.ToString("N0"),
            r.Engine.MegabytesPerSecond.ToString("N2"),
            r.Engine.CpuMicrosecondsPerMessage.ToString("N2"),
            r.Engine.AllocatedBytesPerMessage.ToString("N1"),
            r.Engine.CoresBusy.ToString("N2"),
            r.Raw.MessagesPerSecond.ToString("N0"),
            r.Raw.MegabytesPerSecond.ToString("N2"),
            r.Raw.CpuMicrosecondsPerMessage.ToString("N3"),
            r.Raw.CoresBusy.ToString("N2"),
            r.Ratio.ToString("N3"),
        ]).ToList();
        TextTable.Write(output, headers, cells);
    }

    private static void WriteCsv(string path, List<ChainRow> rows)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var writer = new StreamWriter(path);
        writer.WriteLine("n,engine_mbps,engine_total_mbps,engine_msgps,engine_cpu_ms_per_mb,engine_alloc_bytes_per_msg,engine_cores,raw_mbps,raw_total_mbps,raw_msgps,raw_cpu_ms_per_mb,raw_cores,ratio_engine_raw,pool_outstanding_after_stop");
        foreach (var r in rows)
        {
            writer.WriteLine(string.Join(',',
                r.Length.ToString(CultureInfo.InvariantCulture),
                F(r.Engine.MegabytesPerSecond),
                F(r.EngineTotalMegabytesPerSecond),
                F(r.Engine.MessagesPerSecond),
                F(r.Engine.CpuMillisecondsPerMegabyte),
                F(r.Engine.AllocatedBytesPerMessage),
                F(r.Engine.CoresBusy),
                F(r.Raw.MegabytesPerSecond),
                F(r.RawTotalMegabytesPerSecond),
                F(r.Raw.MessagesPerSecond),
                F(r.Raw.CpuMillisecondsPerMegabyte),
                F(r.Raw.CoresBusy),
                F(r.Ratio),
                r.OutstandingAfterStop.ToString(CultureInfo.InvariantCulture)));
        }

        static string F(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
    }
}
