using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Overlay.Core.Tests.Support;

/// <summary>A node running in a child process (Overlay.TestPeer), so a test can kill or freeze it for real.</summary>
internal sealed partial class PeerProcess : IDisposable
{
    private readonly Process _process;

    private PeerProcess(Process process, NodeId id)
    {
        _process = process;
        Id = id;
    }

    public NodeId Id { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public static Task<PeerProcess> StartAsync(params string[] arguments) => StartAsync(descriptorLimit: null, arguments);

    /// <summary>Starts the peer; with <paramref name="descriptorLimit"/>, under that many file descriptors (<c>ulimit -n</c>).</summary>
    public static async Task<PeerProcess> StartAsync(int? descriptorLimit, params string[] arguments)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Overlay.TestPeer.dll");
        ProcessStartInfo info;
        if (descriptorLimit is { } limit)
        {
            // The shell lowers its own limit and then becomes the peer, which inherits it.
            info = new ProcessStartInfo("bash");
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add(FormattableString.Invariant($"ulimit -n {limit} && exec dotnet \"$0\" \"$@\""));
        }
        else
        {
            info = new ProcessStartInfo("dotnet");
        }

        info.RedirectStandardOutput = true;
        info.RedirectStandardInput = true;
        info.UseShellExecute = false;
        info.ArgumentList.Add(dll);
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        var process = Process.Start(info)!;
        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        if (line is null || !line.StartsWith("LISTENING ", StringComparison.Ordinal))
            throw new InvalidOperationException($"The peer process did not start: {line}");
        return new PeerProcess(process, NodeId.Parse(line["LISTENING ".Length..]));
    }

    /// <summary>Asks the peer for its counters (the "stats" command): name → value.</summary>
    public async Task<IReadOnlyDictionary<string, long>> StatsAsync()
    {
        await _process.StandardInput.WriteLineAsync("stats");
        await _process.StandardInput.FlushAsync();
        var line = await _process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30))
            ?? throw new InvalidOperationException("The peer process ended.");
        if (!line.StartsWith("STATS ", StringComparison.Ordinal))
            throw new InvalidOperationException($"Unexpected answer: {line}");
        return line["STATS ".Length..].Split(' ').Select(pair => pair.Split('=')).ToDictionary(p => p[0], p => long.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Open file descriptors of the process (Linux: entries of /proc/pid/fd).</summary>
    public int OpenDescriptors => Directory.GetFiles($"/proc/{_process.Id}/fd").Length;

    /// <summary>Kills the process (SIGKILL): its sockets are closed by the kernel.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>Freezes the process (SIGSTOP): its sockets stay open, it neither reads nor writes.</summary>
    public void Freeze() => Signal(19);

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }

    private void Signal(int signal)
    {
        if (SendSignal(_process.Id, signal) != 0)
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: {Marshal.GetLastPInvokeError()}");
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);
}
