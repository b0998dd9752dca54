namespace Overlay.Transport;

/// <summary>
/// A node's accounting of the memory its <see cref="FrameReader"/>s hold for bytes not yet turned into messages:
/// staging buffers, and messages that are partly received. The second has a limit: a header may claim up to the
/// maximum payload before a single payload byte arrives, so many stalled claims would otherwise add up without bound.
/// </summary>
/// <remarks>
/// <para>A reader reserves a message's frame length here only when the payload is not already in its staging buffer,
/// and gives it back when the message is complete (or the link fails). Reserving is one compare-and-swap; only a
/// reservation that would take the total over the limit looks at the other readers. It then closes the slowest of
/// them (fewest payload bytes received per second since their reservation, the oldest first among equals) until it
/// fits: a peer that stalls in the middle of a large claim loses its link, a flow that delivers its bytes keeps going.
/// The total never exceeds the limit: a closed reader's bytes leave it at once, and its message goes back to the
/// pool as soon as its aborted read returns.</para>
/// <para>Thread-safe: readers on many I/O threads share one budget.</para>
/// </remarks>
internal sealed class ReceiveBudget
{
    private readonly HashSet<FrameReader> _readers = [];
    private long _reserved;
    private long _staging;

    /// <param name="limit">Bytes that partly received messages may hold together; at least one maximum frame.</param>
    public ReceiveBudget(long limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        Limit = limit;
    }

    /// <summary>Bytes that partly received messages may hold together.</summary>
    public long Limit { get; }

    /// <summary>The clock of reservation times, by which the slowest partly received message is found (the node's).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Bytes reserved now for partly received messages.</summary>
    public long PartialMessageBytes => Interlocked.Read(ref _reserved);

    /// <summary>Bytes of staging buffers held now by the readers that account here.</summary>
    public long StagingBytes => Interlocked.Read(ref _staging);

    internal void Register(FrameReader reader)
    {
        lock (_readers)
            _readers.Add(reader);
    }

    internal void Unregister(FrameReader reader)
    {
        lock (_readers)
            _readers.Remove(reader);
    }

    internal void AddStaging(long bytes) => Interlocked.Add(ref _staging, bytes);

    /// <summary>
    /// Adds <paramref name="bytes"/> to the reserved total, first closing the slowest other readers if they do not fit;
    /// false when they cannot fit even then (the requester must give up its message).
    /// </summary>
    internal bool TryReserve(FrameReader reader, long bytes) => TryAdd(bytes) || MakeRoom(reader, bytes);

    /// <summary>Takes back what a reader had reserved (by itself when its message is done, or by an eviction).</summary>
    internal void Release(long bytes) => Interlocked.Add(ref _reserved, -bytes);

    private bool TryAdd(long bytes)
    {
        while (true)
        {
            var reserved = Interlocked.Read(ref _reserved);
            if (reserved + bytes > Limit)
                return false;
            if (Interlocked.CompareExchange(ref _reserved, reserved + bytes, reserved) == reserved)
                return true;
        }
    }

    private bool MakeRoom(FrameReader requester, long bytes)
    {
        lock (_readers)
        {
            // Rare (only when the budget is exhausted), so a sorted copy is fine here.
            var now = TimeProvider.GetTimestamp();
            var candidates = new List<(double Rate, long Since, FrameReader Reader)>();
            foreach (var reader in _readers)
            {
                if (reader != requester && reader.TryGetPartial(now, out var rate, out var since))
                    candidates.Add((rate, since, reader));
            }

            candidates.Sort(static (a, b) => a.Rate != b.Rate ? a.Rate.CompareTo(b.Rate) : a.Since.CompareTo(b.Since));
            foreach (var candidate in candidates)
            {
                if (TryAdd(bytes))
                    return true;
                candidate.Reader.Evict();
            }

            // Every other partly received message is gone and this one still does not fit (claims that raced in):
            // the requester goes instead.
            return TryAdd(bytes);
        }
    }
}
