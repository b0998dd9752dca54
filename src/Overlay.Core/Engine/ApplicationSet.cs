using System.Collections.Concurrent;

namespace Overlay.Engine;

/// <summary>Which applications a link has carried; one compare per message while the application does not change.</summary>
internal sealed class ApplicationSet
{
    private readonly ConcurrentDictionary<int, byte> _seen = new();
    private int _last = int.MinValue;

    public void Note(int applicationId)
    {
        if (applicationId == Volatile.Read(ref _last))
            return;
        _seen.TryAdd(applicationId, 0);
        Volatile.Write(ref _last, applicationId);
    }

    public int[] ToArray()
    {
        var keys = _seen.Keys.ToArray();
        Array.Sort(keys);
        return keys;
    }
}
