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

    public static async Task<PeerProcess> StartAsync(params string[] arguments)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Overlay.TestPeer.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        var process = Process.Start(info)!;
        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        if (line is null || !line.StartsWith("LISTENING ", StringComparison.Ordinal))
            throw new InvalidOperationException($"The peer process did not start: {line}");
        return new PeerProcess(process, NodeId.Parse(line["LISTENING ".Length..]));
    }

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
