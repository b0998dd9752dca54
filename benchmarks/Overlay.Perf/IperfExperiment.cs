using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Overlay.Buffers;

namespace Overlay.Perf;

/// <summary>
/// Two nodes against iperf3 on the same loopback in the same run: iperf3 with its default 128 KiB writes and with
/// 5 KiB writes, then the two-node engine chain and the raw-socket relay of the chain experiment, 5 KB messages,
/// buffer 10. iperf3 must be on PATH; without it that column is skipped.
/// </summary>
internal static class IperfExperiment
{
    private const int PayloadLength = 5 * 1024;
    private const int BufferCapacity = 10;

    public static async Task<int> RunAsync(string[] args, TextWriter console)
    {
        var seconds = ExperimentArguments.Double(args, "--seconds", 3);
        var report = new ExperimentReport("iperf", console);
        var output = report.Out;
        output.WriteLine("Two nodes vs iperf3 over 127.0.0.1, same run");
        output.WriteLine($"  date            {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} logical cores, machine shared with other work");
        output.WriteLine($"  engine / raw    {PayloadLength} B payload + 24 B header, buffer {BufferCapacity}, no payload fill, 1 s warm-up, {seconds:0.#} s window");
        output.WriteLine($"  iperf3          iperf3 -s -1 -p PORT; iperf3 -c 127.0.0.1 -p PORT -t {seconds:0.#} -J [-l 5120]; receiver's bits_per_second");
        output.WriteLine("  MB = 10^6 bytes of payload (the engine's 24-byte headers and iperf3's TCP/IP headers not counted)");
        output.WriteLine();

        var rows = new List<(string Name, double BytesPerSecond)>();
        var iperf = FindOnPath("iperf3");
        if (iperf is null)
        {
            output.WriteLine("iperf3 is not on PATH: skipping the iperf3 columns (Debian: apt-get install iperf3).");
        }
        else
        {
            rows.Add(("iperf3, 128 KiB writes (default)", await RunIperfAsync(iperf, seconds, null)));
            rows.Add(("iperf3, 5 KiB writes", await RunIperfAsync(iperf, seconds, PayloadLength)));
        }

        var pool = new MessagePool();
        Action<Message> noFill = static _ => { };
        // Unmeasured first round, so neither kind runs on unoptimized code.
        await using (await EngineChain.StartAsync(3, PayloadLength, BufferCapacity, pool, noFill))
            await Task.Delay(1000);
        await using (await RawChain.StartAsync(3, PayloadLength, BufferCapacity))
            await Task.Delay(1000);

        Measurement engine;
        await using (var chain = await EngineChain.StartAsync(2, PayloadLength, BufferCapacity, pool, noFill))
            engine = await Measurement.TakeAsync(chain.Delivered, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(seconds));
        Measurement raw;
        await using (var chain = await RawChain.StartAsync(2, PayloadLength, BufferCapacity))
            raw = await Measurement.TakeAsync(chain.Delivered, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(seconds));
        rows.Add(("engine, 2 nodes", engine.PayloadBytes / engine.Seconds));
        rows.Add(("raw relay, 2 endpoints", raw.PayloadBytes / raw.Seconds));

        var reference = rows.Count > 2 ? rows[0].BytesPerSecond : double.NaN;
        TextTable.Write(
            output,
            ["sender -> receiver", "MB/s", "Gbit/s", "share of iperf3 (default)"],
            rows.Select(r => (IReadOnlyList<string>)
            [
                r.Name, (r.BytesPerSecond / 1e6).ToString("N0"), (r.BytesPerSecond * 8 / 1e9).ToString("N2"),
                double.IsNaN(reference) ? "-" : (r.BytesPerSecond / reference).ToString("P0"),
            ]).ToList());
        output.WriteLine();
        output.WriteLine("Target: the engine's two nodes reach >= 50 % of iperf3's loopback throughput.");
        output.WriteLine($"Pool at the end: {pool.Outstanding} outstanding.");
        report.AppendCsv("sender,bytes_per_second,share_of_iperf3_default", rows.Select(r =>
            $"{r.Name.Replace(',', ';')},{ExperimentReport.Csv(r.BytesPerSecond)},{(double.IsNaN(reference) ? "" : ExperimentReport.Csv(r.BytesPerSecond / reference))}"));
        report.SaveText();
        return pool.Outstanding == 0 ? 0 : 1;
    }

    /// <summary>Runs a one-shot iperf3 server and a client against it; returns the receiver's payload bytes per second.</summary>
    private static async Task<double> RunIperfAsync(string iperf, double seconds, int? writeLength)
    {
        var port = FreePort();
        using var server = Start(iperf, ["-s", "-1", "-p", I(port)]);
        await Task.Delay(500);
        List<string> clientArgs = ["-c", "127.0.0.1", "-p", I(port), "-t", seconds.ToString(CultureInfo.InvariantCulture), "-J"];
        if (writeLength is { } length)
            clientArgs.AddRange(["-l", I(length)]);
        using var client = Start(iperf, clientArgs);
        var json = await client.StandardOutput.ReadToEndAsync();
        await client.WaitForExitAsync();
        await server.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        using var document = JsonDocument.Parse(json);
        var end = document.RootElement.GetProperty("end");
        return end.GetProperty("sum_received").GetProperty("bits_per_second").GetDouble() / 8;

        static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
    }

    private static Process Start(string file, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo { FileName = file, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        return Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
}
