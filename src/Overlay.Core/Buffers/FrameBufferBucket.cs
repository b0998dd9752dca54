namespace Overlay.Buffers;

/// <summary>The idle arrays of one <see cref="FrameBufferPool"/> size class: a bounded stack behind a spin lock.</summary>
/// <remarks>
/// The lock is held for one push or pop, so contention costs little next to the work done per message; a lock-free
/// stack would need a node per push, which is the allocation this pool exists to avoid. It is a
/// <see cref="SpinLock"/>, as in the buckets of <see cref="System.Buffers.ArrayPool{T}.Create()"/>: releasing it
/// is a plain store, which makes a rent and return about 10 ns cheaper than with <see cref="Lock"/>, and a
/// contended waiter backs off to yielding, so a preempted holder does not keep others spinning.
/// </remarks>
internal sealed class FrameBufferBucket
{
    private readonly int _capacity;

    // Not readonly: SpinLock is a mutable struct. No owner tracking: it only costs time here.
    private SpinLock _lock = new(enableThreadOwnerTracking: false);
    private byte[]?[] _items = [];
    private int _count;

    /// <summary>Creates an empty bucket for arrays of exactly <paramref name="length"/> bytes.</summary>
    /// <param name="length">The length of every array in this bucket.</param>
    /// <param name="capacity">The most idle arrays kept; returns beyond it are dropped.</param>
    public FrameBufferBucket(int length, int capacity)
    {
        Length = length;
        _capacity = capacity;
    }

    /// <summary>The length of every array in this bucket.</summary>
    public int Length { get; }

    /// <summary>Idle arrays kept now.</summary>
    public int Count
    {
        get
        {
            var taken = false;
            try
            {
                _lock.Enter(ref taken);
                return _count;
            }
            finally
            {
                if (taken)
                    _lock.Exit(useMemoryBarrier: false);
            }
        }
    }

    /// <summary>Takes an idle array, or null when there is none.</summary>
    public byte[]? TryPop()
    {
        var taken = false;
        try
        {
            _lock.Enter(ref taken);
            if (_count == 0)
                return null;
            var array = _items[--_count];
            _items[_count] = null;
            return array;
        }
        finally
        {
            if (taken)
                _lock.Exit(useMemoryBarrier: false);
        }
    }

    /// <summary>Keeps <paramref name="array"/> for reuse unless the bucket is full.</summary>
    public void TryPush(byte[] array)
    {
        var taken = false;
        try
        {
            _lock.Enter(ref taken);
            if (_count == _items.Length)
            {
                if (_count == _capacity)
                    return;

                // Grows with what is actually in flight rather than reserving the whole capacity up front.
                Array.Resize(ref _items, Math.Min(_capacity, Math.Max(16, _count * 2)));
            }

            _items[_count++] = array;
        }
        finally
        {
            if (taken)
                _lock.Exit(useMemoryBarrier: false);
        }
    }
}
