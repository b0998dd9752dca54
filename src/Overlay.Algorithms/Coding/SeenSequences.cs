namespace Overlay.Algorithms.Coding;

/// <summary>
/// Which of the most recent <c>capacity</c> sequence numbers were seen: a sliding bit set, so duplicates arriving
/// over two paths are counted once in fixed memory.
/// </summary>
internal sealed class SeenSequences
{
    private readonly ulong[] _bits;
    private readonly int _mask;
    private bool _started;
    private int _base;

    public SeenSequences(int capacity = 1 << 16)
    {
        if (capacity < 64 || (capacity & (capacity - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "The capacity is a power of two of at least 64.");
        _bits = new ulong[capacity / 64];
        _mask = capacity - 1;
    }

    /// <summary>Marks <paramref name="sequence"/> seen.</summary>
    /// <returns>True when it is new; false for a duplicate or a number older than the window.</returns>
    public bool Add(int sequence)
    {
        var capacity = _mask + 1;
        if (!_started)
        {
            _started = true;
            _base = sequence;
        }

        if (sequence < _base)
            return false;
        if (sequence - _base >= capacity)
        {
            var newBase = sequence - capacity + 1;
            if (newBase - _base >= capacity)
                Array.Clear(_bits);
            else
            {
                for (var s = _base; s < newBase; s++)
                    _bits[(s & _mask) >> 6] &= ~(1UL << (s & 63));
            }

            _base = newBase;
        }

        ref var word = ref _bits[(sequence & _mask) >> 6];
        var bit = 1UL << (sequence & 63);
        if ((word & bit) != 0)
            return false;
        word |= bit;
        return true;
    }
}
