using Overlay.Observer.Web.Api;

namespace Overlay.Observer.Web;

/// <summary>The last traces the observer received, numbered so a reader can ask for "everything after N".</summary>
internal sealed class TraceTail(int capacity)
{
    private readonly Queue<TraceEntry> _entries = new();
    private readonly Lock _gate = new();
    private long _sequence;

    /// <summary>The number of the newest trace (0 before the first).</summary>
    public long LastSequence
    {
        get
        {
            lock (_gate)
                return _sequence;
        }
    }

    public void Add(DateTimeOffset time, string node, string name, string text)
    {
        lock (_gate)
        {
            _entries.Enqueue(new TraceEntry(++_sequence, time, node, name, text));
            if (_entries.Count > capacity)
                _entries.Dequeue();
        }
    }

    /// <summary>Up to <paramref name="limit"/> of the newest traces numbered above <paramref name="after"/>, oldest first.</summary>
    /// <param name="after">Only traces numbered above this.</param>
    /// <param name="node">Only this node's traces (its address), or null for all.</param>
    /// <param name="limit">At most this many: the newest ones.</param>
    public List<TraceEntry> Read(long after, string? node, int limit)
    {
        var result = new List<TraceEntry>();
        lock (_gate)
        {
            foreach (var entry in _entries)
            {
                if (entry.Sequence > after && (node is null || entry.Node == node))
                    result.Add(entry);
            }
        }

        if (result.Count > limit)
            result.RemoveRange(0, result.Count - limit);
        return result;
    }
}
