namespace Overlay.Buffers;

/// <summary>
/// A bounded single-producer, single-consumer ring: the shape of every buffer between a link's I/O loop and its
/// node's event loop. Lock-free and allocation-free; exactly one thread may enqueue and one may dequeue at a time.
/// </summary>
internal sealed class SpscRing<T>
    where T : class
{
    private readonly T?[] _slots;
    private long _head; // next slot to read; written by the consumer only
    private long _tail; // next slot to write; written by the producer only

    public SpscRing(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _slots = new T?[capacity];
    }

    public int Capacity => _slots.Length;

    /// <summary>A moment's view of the number of items; exact when called by either side with the other idle.</summary>
    public int Count => (int)(Volatile.Read(ref _tail) - Volatile.Read(ref _head));

    public bool IsEmpty => Volatile.Read(ref _tail) == Volatile.Read(ref _head);

    public bool IsFull => Count >= _slots.Length;

    /// <summary>Producer side.</summary>
    public bool TryEnqueue(T item)
    {
        var tail = _tail;
        if (tail - Volatile.Read(ref _head) >= _slots.Length)
            return false;
        _slots[tail % _slots.Length] = item;
        Volatile.Write(ref _tail, tail + 1); // publishes the slot
        return true;
    }

    /// <summary>Consumer side: the oldest item without removing it.</summary>
    public bool TryPeek(out T item)
    {
        var head = _head;
        if (head == Volatile.Read(ref _tail))
        {
            item = null!;
            return false;
        }

        item = _slots[head % _slots.Length]!;
        return true;
    }

    /// <summary>Consumer side.</summary>
    public bool TryDequeue(out T item)
    {
        var head = _head;
        if (head == Volatile.Read(ref _tail))
        {
            item = null!;
            return false;
        }

        var index = head % _slots.Length;
        item = _slots[index]!;
        _slots[index] = null;
        Volatile.Write(ref _head, head + 1); // frees the slot
        return true;
    }
}
