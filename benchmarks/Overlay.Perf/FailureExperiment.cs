using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Overlay.Buffers;

namespace Overlay.Perf;

/// <summary>
/// Failure detection latency: a peer node in a child process streams to this one and receives from it, then is
/// killed (SIGKILL) or frozen (SIGSTOP). Measures the time until both links are reported broken, over N trials, and
/// the keep-alive bytes an idle link costs.
/// </summary>
internal static partial class FailureExperiment
{
    public static async Task<int> RunAsync(int trials, TextWriter output)
    {
        var peer = Path.Combine(Path.GetDirectoryName(ResultsDirectory.Locate())!, "..", "tests", "Overlay.TestPeer", "bin", "Release", "net10.0", "Overlay.TestPeer.dll");
        if (!File.Exists(peer))
        {
            output.WriteLine($"Build the test peer first: dotnet build tests/Overlay.TestPeer -c Release ({peer} is missing)");
            return 2;
        }

        output.WriteLine("Failure detection latency (FailureTimeout = 2 s, the default)");
        output.WriteLine($"  date {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {trials} trials each");
        var pool = new MessagePool();
        var killed = new List<double>();
        var frozen = new List<double>();
        for (var i = 0; i < trials; i++)
        {
            killed.Add(await TrialAsync(pool, peer, freeze: false));
            frozen.Add(await TrialAsync(pool, peer, freeze: true));
            output.WriteLine($"  trial {i + 1}: killed {killed[^1]:F0} ms, frozen {frozen[^1]:F0} ms");
        }

        var idle = await KeepAliveBytesPerSecondAsync(pool);
        output.WriteLine();
        TextTable.Write(output, ["peer", "median ms", "max ms"], [
            ["killed (SIGKILL)", Median(killed).ToString("F0", CultureInfo.InvariantCulture), killed.Max().ToString("F0", CultureInfo.InvariantCulture)],
            ["frozen (SIGSTOP)", Median(frozen).ToString("F0", CultureInfo.InvariantCulture), frozen.Max().ToString("F0", CultureInfo.InvariantCulture)],
        ]);
        output.WriteLine();
        output.WriteLine($"Keep-alive traffic on one idle link (both directions, frame bytes, no TCP/IP headers): {idle:F1} B/s");
        output.WriteLine("Frozen: time from SIGSTOP until the later of the two links is declared dead; the upstream one also waits for");
        output.WriteLine("the frozen process's kernel to deliver what it had already buffered.");
        return pool.Outstanding == 0 ? 0 : 1;
    }

    private static async Task<double> TrialAsync(MessagePool pool, string peerDll, bool freeze)
    {
        var watcher = new Watcher();
        await using var node = new OverlayNode(new OverlayNodeOptions { Pool = pool }, watcher);
        await node.StartAsync();
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        info.ArgumentList.Add(peerDll);
        info.ArgumentList.Add("--send-to");
        info.ArgumentList.Add(node.Id.ToString());
        using var process = Process.Start(info)!;
        try
        {
            var line = await process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("peer did not start");
            var peer = NodeId.Parse(line["LISTENING ".Length..]);
            await node.InvokeAsync(() => watcher.Target = peer);
            await node.DeploySourceAsync(1, new SourceOptions { PayloadLength = 1000 });
            while (watcher.Received < 1000)
                await Task.Delay(20);
            var clock = Stopwatch.StartNew();
            if (freeze)
                _ = Kill(process.Id, 19);
            else
                process.Kill();
            while (watcher.Broken < 2 && clock.Elapsed < TimeSpan.FromSeconds(20))
                await Task.Delay(5);
            return clock.Elapsed.TotalMilliseconds;
        }
        finally
        {
            if (!process.HasExited)
                process.Kill();
            await process.WaitForExitAsync();
        }
    }

    private static async Task<double> KeepAliveBytesPerSecondAsync(MessagePool pool)
    {
        var left = new Watcher();
        var right = new Watcher();
        await using var a = new OverlayNode(new OverlayNodeOptions { Pool = pool }, left);
        await using var b = new OverlayNode(new OverlayNodeOptions { Pool = pool }, right);
        await a.StartAsync();
        await b.StartAsync();
        await a.InvokeAsync(() => left.Target = b.Id);
        await a.DeploySourceAsync(1, new SourceOptions { PayloadLength = 10, MessageLimit = 1 }); // opens one link A→B
        await Task.Delay(1000);
        var before = a.WireBytesReceived + b.WireBytesReceived;
        var clock = Stopwatch.StartNew();
        await Task.Delay(20_000);
        return (a.WireBytesReceived + b.WireBytesReceived - before) / clock.Elapsed.TotalSeconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);

    /// <summary>Streams its source to <see cref="Target"/>, counts what arrives and the links that break.</summary>
    private sealed class Watcher : Algorithm
    {
        private int _received;
        private int _broken;

        public NodeId? Target { get; set; }

        public int Received => Volatile.Read(ref _received);

        public int Broken => Volatile.Read(ref _broken);

        public override Disposition Process(Message message)
        {
            if (message.Type == MessageTypes.Data && message.From == Self && Target is { } target)
            {
                Send(message, target);
                return Disposition.Forwarded;
            }

            if (message.Type == MessageTypes.Data)
                Interlocked.Increment(ref _received);
            if (message.Type is MessageTypes.BrokenUpstream or MessageTypes.BrokenDownstream)
            {
                Interlocked.Increment(ref _broken);
                Target = null;
            }

            return base.Process(message);
        }
    }
}
