using Microsoft.Win32.SafeHandles;

namespace Overlay.Transport.Tcp;

/// <summary>
/// A few file descriptors the process holds in reserve, so that when accepting connections uses up the rest the
/// runtime still has some: without any, it cannot map new code and aborts ("Out of memory").
/// </summary>
/// <remarks>
/// The listener gives them up at the first accept that fails for want of descriptors, and accepts again only once it
/// could take them back with as many again to spare. One set per process, shared by its nodes. On systems without
/// a per-process descriptor limit worth guarding (Windows) nothing is held.
/// </remarks>
internal static class SpareDescriptors
{
    private const int Count = 16;
    private static readonly object s_gate = new();
    private static SafeFileHandle[]? s_held;

    /// <summary>Takes the spares if they are not held; false when the process has not twice as many free.</summary>
    public static bool TryHold()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() && !OperatingSystem.IsFreeBSD())
            return true;
        lock (s_gate)
        {
            if (s_held is not null)
                return true;
            var opened = new List<SafeFileHandle>(2 * Count);
            try
            {
                // Twice as many as are kept: accepting resumes only with room besides the reserve.
                for (var i = 0; i < 2 * Count; i++)
                    opened.Add(File.OpenHandle("/dev/null"));
                s_held = [.. opened.GetRange(0, Count)];
                for (var i = Count; i < opened.Count; i++)
                    opened[i].Dispose();
                return true;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                foreach (var handle in opened)
                    handle.Dispose();
                return false;
            }
        }
    }

    /// <summary>Gives the spares to the rest of the process.</summary>
    public static void Release()
    {
        lock (s_gate)
        {
            if (s_held is null)
                return;
            foreach (var handle in s_held)
                handle.Dispose();
            s_held = null;
        }
    }
}
