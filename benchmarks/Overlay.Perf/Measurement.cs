using System.Diagnostics;

namespace Overlay.Perf;

/// <summary>What a sink received during a measurement window, and what the whole process spent on it.</summary>
/// <param name="Messages">Messages delivered at the sink.</param>
/// <param name="PayloadBytes">Payload bytes delivered at the sink (headers excluded).</param>
/// <param name="Seconds">Length of the window.</param>
/// <param name="Cpu">Process CPU time (all threads) during the window.</param>
/// <param name="AllocatedBytes">Managed bytes allocated by the process during the window.</param>
/// <param name="Gen0Collections">Generation-0 collections during the window.</param>
internal readonly record struct Measurement(long Messages, long PayloadBytes, double Seconds, TimeSpan Cpu, long AllocatedBytes, int Gen0Collections)
{
    // MB here is 10^6 bytes.
    private const double Megabyte = 1e6;

    public double MegabytesPerSecond => PayloadBytes / Megabyte / Seconds;

    public double MessagesPerSecond => Messages / Seconds;

    public double CpuMillisecondsPerMegabyte => PayloadBytes == 0 ? double.NaN : Cpu.TotalMilliseconds / (PayloadBytes / Megabyte);

    public double CpuMicrosecondsPerMessage => Messages == 0 ? double.NaN : Cpu.TotalMicroseconds / Messages;

    public double AllocatedBytesPerMessage => Messages == 0 ? double.NaN : (double)AllocatedBytes / Messages;

    /// <summary>Average number of cores the process kept busy.</summary>
    public double CoresBusy => Cpu.TotalSeconds / Seconds;

    /// <summary>Lets traffic settle for <paramref name="warmup"/>, then measures for <paramref name="duration"/>.</summary>
    public static async Task<Measurement> TakeAsync(ThroughputCounter sink, TimeSpan warmup, TimeSpan duration)
    {
        await Task.Delay(warmup);
        var (messages0, bytes0) = sink.Read();
        var cpu0 = ProcessCpu();
        var allocated0 = GC.GetTotalAllocatedBytes();
        var gen0 = GC.CollectionCount(0);
        var start = Stopwatch.GetTimestamp();

        await Task.Delay(duration);

        var (messages1, bytes1) = sink.Read();
        var elapsed = Stopwatch.GetElapsedTime(start);
        var cpu1 = ProcessCpu();
        var allocated1 = GC.GetTotalAllocatedBytes();
        return new Measurement(
            messages1 - messages0,
            bytes1 - bytes0,
            elapsed.TotalSeconds,
            cpu1 - cpu0,
            allocated1 - allocated0,
            GC.CollectionCount(0) - gen0);
    }

    private static TimeSpan ProcessCpu()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }
}
