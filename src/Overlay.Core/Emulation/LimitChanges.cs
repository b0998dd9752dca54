namespace Overlay.Emulation;

/// <summary>Counts changes to any of a node's emulated limits, so its links notice one with a single read.</summary>
internal sealed class LimitChanges
{
    private int _count;

    /// <summary>How many changes so far.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Records a change; called after the new limit is in place.</summary>
    public void Note() => Interlocked.Increment(ref _count);
}
