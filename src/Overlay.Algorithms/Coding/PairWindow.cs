namespace Overlay.Algorithms.Coding;

/// <summary>
/// A ring of <see cref="PairSlot"/>s for the pairs <c>[Base, Base + capacity)</c>: bounded memory for messages
/// held until their partner arrives. A pair beyond the window pushes the oldest pairs out through the eviction
/// callback; a pair below it is too late.
/// </summary>
internal sealed class PairWindow
{
    private readonly PairSlot[] _slots;
    private readonly int _mask;
    private readonly PairEviction _evict;
    private bool _started;

    public PairWindow(int capacity, PairEviction evict)
    {
        if (capacity < 1 || (capacity & (capacity - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "The window holds a power of two pairs.");
        _slots = new PairSlot[capacity];
        _mask = capacity - 1;
        _evict = evict;
    }

    /// <summary>The oldest pair the window holds.</summary>
    public int Base { get; private set; }

    public int Capacity => _slots.Length;

    /// <summary>The slot of <paramref name="pair"/>, which must be admitted.</summary>
    public ref PairSlot this[int pair] => ref _slots[pair & _mask];

    /// <summary>
    /// Makes room for <paramref name="pair"/>, evicting the oldest pairs if it lies beyond the window.
    /// </summary>
    /// <returns>False when the pair is older than the window (already delivered, coded or given up).</returns>
    public bool Admit(int pair)
    {
        if (!_started)
        {
            // A node may join a stream anywhere: the window starts at the first pair it sees.
            _started = true;
            Base = pair;
        }

        if (pair < Base)
            return false;
        if (pair - Base >= 2 * Capacity)
        {
            // A jump further than the window: evict everything at once rather than pair by pair.
            for (var i = 0; i < Capacity; i++)
                Evict(Base + i);
            Base = pair - Capacity + 1;
        }

        while (pair - Base >= Capacity)
        {
            Evict(Base);
            Base++;
        }

        return true;
    }

    /// <summary>Empties the base slot (the caller took its messages) and moves the window on by one pair.</summary>
    public void Advance()
    {
        _slots[Base & _mask] = default;
        Base++;
    }

    /// <summary>Releases every held message (when the node stops).</summary>
    public void ReleaseAll()
    {
        for (var i = 0; i < _slots.Length; i++)
            _slots[i].Release();
    }

    private void Evict(int pair)
    {
        ref var slot = ref _slots[pair & _mask];
        if (slot.IsEmpty)
            return;
        _evict(pair, ref slot);
        slot.Release();
    }
}
