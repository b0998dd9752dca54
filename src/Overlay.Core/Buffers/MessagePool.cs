using System.Buffers;
using System.Collections.Concurrent;
using Overlay.Wire;

namespace Overlay.Buffers;

/// <summary>
/// Rents <see cref="Message"/> objects and their buffers, and counts what is outstanding so tests can assert
/// that nothing leaked.
/// </summary>
/// <remarks>
/// <para>Each pool has its own <see cref="FrameBufferPool"/> rather than using <see cref="ArrayPool{T}.Shared"/>.
/// The shared pool keeps a few dozen arrays per size and core; a chain of 8 or more nodes has far more messages in
/// flight, so it dropped returned arrays and allocated new ones in steady state. The frame pool keeps thousands,
/// in size classes that fit frames (a 5 KB message takes 5,144 bytes, not 8,192). On .NET a socket pins a managed
/// array only for the duration of one operation, so a pinned block pool would buy nothing but fragmentation.</para>
/// <para>Message objects are kept in a lock-free queue of bounded size so that a burst does not pin memory
/// forever.</para>
/// </remarks>
public sealed class MessagePool
{
    private readonly ConcurrentQueue<Message> _free = new();
    private readonly ArrayPool<byte> _buffers;
    private readonly int _maxPooledObjects;
    private long _outstanding;
    private long _rented;
    private long _doubleReleases;
    private int _freeCount;

    /// <summary>Creates a pool.</summary>
    /// <param name="maxPooledObjects">How many idle message objects to keep for reuse. Defaults to 65,536.</param>
    public MessagePool(int maxPooledObjects = 65_536)
        : this(new FrameBufferPool(), maxPooledObjects)
    {
    }

    internal MessagePool(ArrayPool<byte> buffers, int maxPooledObjects)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxPooledObjects);
        _buffers = buffers;
        _maxPooledObjects = maxPooledObjects;
    }

    /// <summary>The default world's pool (<see cref="Runtime.OverlayRuntime.Default"/>): used by nodes given neither a pool nor a world of their own.</summary>
    public static MessagePool Shared { get; } = new();

    /// <summary>Messages rented and not yet returned.</summary>
    public long Outstanding => Interlocked.Read(ref _outstanding);

    /// <summary>Messages rented since the pool was created.</summary>
    public long TotalRented => Interlocked.Read(ref _rented);

    /// <summary>Releases beyond a message's last reference (a bug in whoever released).</summary>
    public long DoubleReleases => Interlocked.Read(ref _doubleReleases);

    /// <summary>Rents a message with a payload of exactly <paramref name="payloadLength"/> bytes and one reference.</summary>
    /// <remarks>The payload content is undefined (pooled memory); the header fields are zero.</remarks>
    public Message Rent(int payloadLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        if (!_free.TryDequeue(out var message))
            message = new Message(this);
        else
            Interlocked.Decrement(ref _freeCount);
        message.Initialize(_buffers.Rent(MessageHeader.Size + payloadLength), payloadLength);
        Interlocked.Increment(ref _outstanding);
        Interlocked.Increment(ref _rented);
        return message;
    }

    internal void Return(Message message)
    {
        _buffers.Return(message.Detach());
        Interlocked.Decrement(ref _outstanding);
        if (Interlocked.Increment(ref _freeCount) <= _maxPooledObjects)
            _free.Enqueue(message);
        else
            Interlocked.Decrement(ref _freeCount);
    }

    internal void CountDoubleRelease() => Interlocked.Increment(ref _doubleReleases);
}
