namespace Overlay.Algorithms;

/// <summary>
/// A set that remembers only its most recent <c>capacity</c> entries: enough to suppress gossip duplicates, which
/// arrive within moments of each other, without growing for ever.
/// </summary>
internal sealed class RecentSet<T>(int capacity)
    where T : notnull
{
    private readonly HashSet<T> _items = [];
    private readonly Queue<T> _order = new();

    /// <summary>Adds <paramref name="item"/>; false when it is already there.</summary>
    public bool Add(T item)
    {
        if (!_items.Add(item))
            return false;
        _order.Enqueue(item);
        if (_order.Count > capacity)
            _items.Remove(_order.Dequeue());
        return true;
    }
}
