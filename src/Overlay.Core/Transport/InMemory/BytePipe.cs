using System.Runtime.CompilerServices;

namespace Overlay.Transport.InMemory;

/// <summary>
/// One direction of an in-memory connection: a bounded ring of bytes between one writer and one reader. A full
/// pipe makes the writer wait until the reader takes bytes, exactly as a full socket does, so back pressure on the
/// in-memory transport is real and memory bounded by <see cref="Capacity"/>.
/// </summary>
/// <remarks>
/// Ends like a TCP direction: <see cref="CompleteWriting"/> is the writer's orderly end (the reader drains what is
/// left, then reads 0); <see cref="CloseReading"/> is the reader going away (later writes fail, as writes to a
/// closed socket do); <see cref="Abort"/> is a reset (both sides fail at once, unread bytes are dropped). A lock is
/// taken once per read or write call, never per byte; no timer, no clock.
/// </remarks>
internal sealed class BytePipe
{
    private readonly Lock _lock = new();
    private readonly byte[] _ring;
    private readonly PipeWaiter _readable = new();
    private readonly PipeWaiter _writable = new();
    private int _head;
    private int _count;
    private bool _writingDone;
    private bool _readingClosed;
    private bool _aborted;

    public BytePipe(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _ring = new byte[capacity];
    }

    /// <summary>The most bytes the pipe holds.</summary>
    public int Capacity => _ring.Length;

    /// <summary>Bytes written and not yet read.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
                return _count;
        }
    }

    /// <summary>True when a read would complete at once: bytes wait, or the pipe ended.</summary>
    public bool IsReadable
    {
        get
        {
            lock (_lock)
                return _count > 0 || _writingDone || _aborted || _readingClosed;
        }
    }

    /// <summary>
    /// Reads up to <paramref name="destination"/>.Length bytes; 0 at the orderly end. An empty destination waits
    /// until bytes (or the end) are there and consumes nothing.
    /// </summary>
    /// <exception cref="TransportException">The pipe was reset, or this side closed it.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        while (true)
        {
            ValueTask wait;
            lock (_lock)
            {
                if (_aborted)
                    throw new TransportException(TransportFailure.ConnectionReset, "The connection was reset.");
                if (_readingClosed)
                    throw new TransportException(TransportFailure.ConnectionReset, "The connection was closed.");
                if (_count > 0)
                {
                    if (destination.IsEmpty)
                        return 0;
                    var read = Take(destination.Span);
                    _writable.Release();
                    return read;
                }

                if (_writingDone)
                    return 0;
                cancellationToken.ThrowIfCancellationRequested();
                wait = _readable.Arm(cancellationToken);
            }

            await wait;
        }
    }

    /// <summary>Writes all of <paramref name="source"/>, waiting for room while the pipe is full.</summary>
    /// <param name="source">The bytes.</param>
    /// <param name="progress">Told of each part handed to the pipe; may be null.</param>
    /// <param name="cancellationToken">Ends a wait for room.</param>
    /// <exception cref="TransportException">The pipe was reset, or its reader went away.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> source, ISendProgress? progress, CancellationToken cancellationToken)
    {
        while (!source.IsEmpty)
        {
            ValueTask wait = default;
            var written = 0;
            lock (_lock)
            {
                if (_aborted || _readingClosed)
                    throw new TransportException(TransportFailure.ConnectionReset, "The connection was reset by the peer.");
                if (_writingDone)
                    throw new TransportException(TransportFailure.ConnectionReset, "The connection was closed.");
                written = Put(source.Span);
                if (written > 0)
                {
                    _readable.Release();
                }
                else
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    wait = _writable.Arm(cancellationToken);
                }
            }

            if (written > 0)
            {
                progress?.OnWritten(written);
                source = source[written..];
            }
            else
            {
                await wait;
            }
        }
    }

    /// <summary>The writer's orderly end: the reader gets what is left, then 0.</summary>
    public void CompleteWriting()
    {
        lock (_lock)
        {
            _writingDone = true;
            _readable.Release();
            _writable.Release();
        }
    }

    /// <summary>The reader went away: its own pending read fails, and so does every later write.</summary>
    public void CloseReading()
    {
        lock (_lock)
        {
            _readingClosed = true;
            _count = 0;
            _readable.Release();
            _writable.Release();
        }
    }

    /// <summary>A reset: pending and later reads and writes fail, unread bytes are dropped.</summary>
    public void Abort()
    {
        lock (_lock)
        {
            _aborted = true;
            _count = 0;
            _readable.Release();
            _writable.Release();
        }
    }

    // Copies out of the ring (in at most two pieces, where it wraps). Under the lock.
    private int Take(Span<byte> destination)
    {
        var total = Math.Min(destination.Length, _count);
        var first = Math.Min(total, _ring.Length - _head);
        _ring.AsSpan(_head, first).CopyTo(destination);
        _ring.AsSpan(0, total - first).CopyTo(destination[first..]);
        _head = (_head + total) % _ring.Length;
        _count -= total;
        return total;
    }

    // Copies into the free part of the ring, as much as fits. Under the lock.
    private int Put(ReadOnlySpan<byte> source)
    {
        var total = Math.Min(source.Length, _ring.Length - _count);
        var tail = (_head + _count) % _ring.Length;
        var first = Math.Min(total, _ring.Length - tail);
        source[..first].CopyTo(_ring.AsSpan(tail, first));
        source[first..total].CopyTo(_ring.AsSpan(0, total - first));
        _count += total;
        return total;
    }
}
