using System.Diagnostics;

namespace Overlay.Perf;

/// <summary>The whole process at one moment: CPU time used, memory held and managed bytes allocated so far.</summary>
/// <param name="Timestamp">Stopwatch timestamp.</param>
/// <param name="Cpu">Process CPU time, all threads, user and kernel.</param>
/// <param name="WorkingSet">Resident memory of the process, in bytes.</param>
/// <param name="ManagedHeap">Bytes on the managed heap; only live objects when the snapshot collected first.</param>
/// <param name="Allocated">Managed bytes allocated by all threads since the process started (precise count).</param>
/// <param name="OpenSockets">Open socket file descriptors; -1 where /proc is not available.</param>
internal readonly record struct ProcessSnapshot(long Timestamp, TimeSpan Cpu, long WorkingSet, long ManagedHeap, long Allocated, int OpenSockets)
{
    /// <summary>Takes a snapshot; <paramref name="collect"/> runs a full blocking GC first so the heap counts live objects only.</summary>
    public static ProcessSnapshot Take(bool collect)
    {
        var heap = GC.GetTotalMemory(forceFullCollection: collect);
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        using var process = Process.GetCurrentProcess();
        return new ProcessSnapshot(Stopwatch.GetTimestamp(), process.TotalProcessorTime, process.WorkingSet64, heap, allocated, CountOpenSockets());
    }

    /// <summary>Wall-clock seconds from <paramref name="earlier"/> to this snapshot.</summary>
    public double SecondsSince(ProcessSnapshot earlier) => Stopwatch.GetElapsedTime(earlier.Timestamp, Timestamp).TotalSeconds;

    /// <summary>CPU time between the snapshots divided by wall time: 1.0 is one core fully busy.</summary>
    public double CoresBusySince(ProcessSnapshot earlier) => (Cpu - earlier.Cpu).TotalSeconds / SecondsSince(earlier);

    /// <summary>Managed bytes allocated between the snapshots.</summary>
    public long AllocatedSince(ProcessSnapshot earlier) => Allocated - earlier.Allocated;

    // Each entry of /proc/self/fd links to what the descriptor is: "socket:[inode]" for a socket.
    private static int CountOpenSockets()
    {
        if (!Directory.Exists("/proc/self/fd"))
            return -1;
        var sockets = 0;
        foreach (var entry in Directory.GetFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(entry).LinkTarget?.StartsWith("socket:", StringComparison.Ordinal) == true)
                    sockets++;
            }
            catch (IOException)
            {
                // Closed between listing and reading: not open any more.
            }
        }

        return sockets;
    }
}
