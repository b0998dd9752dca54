using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;

namespace Overlay.Transport.Tcp;

/// <summary>
/// Writes a batch of messages with few system calls, reusing a single <see cref="SocketAsyncEventArgs"/> so that
/// a send allocates nothing.
/// </summary>
/// <remarks>
/// <para>The idiom of Kestrel's socket transport <c>SocketSender</c>: the event args is its own awaitable.</para>
/// <para>No send hands the kernel more than <see cref="MaxSegments"/> segments: on Linux, .NET builds the iovecs of
/// up to 8 buffers on the stack, but allocates a <c>GCHandle[]</c> and an <c>IOVector[]</c> on every call beyond
/// that, and pins each buffer either way. So a run of two or more small frames is copied into one pooled staging
/// buffer and leaves as a single segment (copying a few hundred bytes costs less than pinning and describing each
/// frame), and larger frames leave from their own buffers. When a batch reaches the segment limit, its rest is
/// copied into the last segment if it fits the staging buffer (a full link buffer of ten 5 KB frames thus still
/// leaves in one send); otherwise the batch is written in several sends.</para>
/// </remarks>
internal sealed class SocketSender : SocketAsyncEventArgs, IValueTaskSource<int>
{
    /// <summary>The most segments one send passes to the socket.</summary>
    internal const int MaxSegments = 8;

    /// <summary>Frames up to this many bytes (header included) are copied when they are next to another one.</summary>
    internal const int CoalesceLimit = 2 * 1024;

    /// <summary>Size of the staging buffer that small frames are copied into.</summary>
    internal const int StagingSize = 64 * 1024;

    private readonly List<ArraySegment<byte>> _segments = new(MaxSegments);
    private ManualResetValueTaskSourceCore<int> _completion;

    // Rented for the duration of one SendAsync that has frames to copy, so an idle link holds no staging memory.
    private byte[]? _staging;
    private int _staged;
    private int _sending;

    public SocketSender()
        : base(unsafeSuppressExecutionContextFlow: true)
    {
        _completion.RunContinuationsAsynchronously = false;
    }

    /// <summary>Sends the frames of <paramref name="batch"/> completely, in order.</summary>
    /// <param name="socket">The connected socket.</param>
    /// <param name="batch">The frames.</param>
    /// <param name="progress">Told after every socket write how many more bytes of the batch left; may be null.</param>
    /// <exception cref="TransportException">The connection broke (the socket's error inside).</exception>
    /// <exception cref="InvalidOperationException">Another send on this sender has not finished.</exception>
    /// <remarks>
    /// Each write is awaited in this one method (no awaited helper): a pending write then costs at most one pooled
    /// state machine box, and the per-core cache of such boxes is small, so with many links every extra suspended
    /// helper allocated.
    /// </remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SendAsync(Socket socket, ReadOnlyMemory<Message> batch, ISendProgress? progress = null)
    {
        if (Interlocked.Exchange(ref _sending, 1) != 0)
            throw new InvalidOperationException("A sender writes one batch at a time.");
        try
        {
            _segments.Clear();
            _staged = 0;
            var next = 0;
            while (true)
            {
                // Collect frames until the batch is done or the next frame needs the collected ones written first.
                while (next < batch.Length && TryCollect(batch.Span, next))
                    next++;
                if (_segments.Count == 0)
                {
                    if (next < batch.Length)
                        throw new InvalidOperationException("A frame did not fit an empty collection."); // cannot happen: see TryCollect
                    break;
                }

                var remaining = 0;
                foreach (var segment in _segments)
                    remaining += segment.Count;
                while (true)
                {
                    var bytes = await SendSegmentsAsync(socket);
                    if (bytes <= 0)
                        throw TcpErrors.Translate(new SocketException((int)SocketError.ConnectionReset));
                    progress?.OnWritten(bytes);
                    remaining -= bytes;
                    if (remaining <= 0)
                        break;
                    DropSent(bytes);
                }

                _segments.Clear();
                _staged = 0;
            }
        }
        finally
        {
            // Every send has completed (or never started) here, so nothing can still read the staging buffer.
            _segments.Clear();
            if (_staging is { } staging)
            {
                _staging = null;
                ArrayPool<byte>.Shared.Return(staging);
            }

            Volatile.Write(ref _sending, 0);
        }
    }

    int IValueTaskSource<int>.GetResult(short token)
    {
        try
        {
            return _completion.GetResult(token);
        }
        finally
        {
            _completion.Reset();
        }
    }

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _completion.GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _completion.OnCompleted(continuation, state, token, flags);

    protected override void OnCompleted(SocketAsyncEventArgs e) => Complete();

    // A small frame is copied only when it joins a neighbour; a lone one is sent from its own buffer as it is.
    private static bool IsCoalesced(ReadOnlySpan<Message> batch, int index)
    {
        if (batch[index].FrameLength > CoalesceLimit)
            return false;
        return (index > 0 && batch[index - 1].FrameLength <= CoalesceLimit)
            || (index + 1 < batch.Length && batch[index + 1].FrameLength <= CoalesceLimit);
    }

    // At the segment limit, the rest of the batch is copied into one last staged segment when it all fits: copying
    // a few frames costs less than one more system call and one more wake-up of the peer's reader.
    private bool StagesRest(ReadOnlySpan<Message> batch, int index)
    {
        var lastSlot = _segments.Count == MaxSegments - 1 && index + 1 < batch.Length;
        var pastLastSlot = _segments.Count == MaxSegments && ContinuesStagedRun();
        if (!lastSlot && !pastLastSlot)
            return false;
        var rest = 0;
        foreach (var message in batch[index..])
            rest += message.FrameLength;
        return rest <= (_staging?.Length ?? StagingSize) - _staged;
    }

    // True when the last segment is the staging run that the next copy would extend.
    private bool ContinuesStagedRun()
    {
        if (_segments.Count == 0)
            return false;
        var last = _segments[^1];
        return ReferenceEquals(last.Array, _staging) && last.Offset + last.Count == _staged;
    }

    // Sized to what this batch can still stage (every frame from the first staged one on), up to StagingSize: a
    // send waiting on a full socket holds its staging buffer, and a rest of three 5 KB frames needs 16 KiB, not 64.
    // Every later copy of the batch fits, so the "after a write it always fits" rule of TryCollect still holds.
    private static byte[] RentStaging(ReadOnlySpan<Message> batch, int index)
    {
        var rest = 0;
        foreach (var message in batch[index..])
        {
            rest += message.FrameLength;
            if (rest >= StagingSize)
                return ArrayPool<byte>.Shared.Rent(StagingSize);
        }

        return ArrayPool<byte>.Shared.Rent(rest);
    }

    /// <summary>
    /// Adds frame <paramref name="index"/> to the collection (as its own segment, or copied into the staging run);
    /// false when the collected segments must be written first — after that, it always fits.
    /// </summary>
    private bool TryCollect(ReadOnlySpan<Message> batch, int index)
    {
        var message = batch[index];
        var length = message.FrameLength;
        if (IsCoalesced(batch, index) || StagesRest(batch, index))
        {
            var staging = _staging ??= RentStaging(batch, index);
            if (_staged + length > staging.Length || (!ContinuesStagedRun() && _segments.Count == MaxSegments))
                return false;
            message.Buffer.AsSpan(0, length).CopyTo(staging.AsSpan(_staged));
            if (ContinuesStagedRun())
            {
                var run = _segments[^1];
                _segments[^1] = new ArraySegment<byte>(staging, run.Offset, run.Count + length);
            }
            else
            {
                _segments.Add(new ArraySegment<byte>(staging, _staged, length));
            }

            _staged += length;
            return true;
        }

        if (_segments.Count == MaxSegments)
            return false;
        _segments.Add(new ArraySegment<byte>(message.Buffer, 0, length));
        return true;
    }

    private ValueTask<int> SendSegmentsAsync(Socket socket)
    {
        if (_segments.Count == 1)
        {
            BufferList = null;
            var only = _segments[0];
            SetBuffer(only.Array, only.Offset, only.Count);
        }
        else
        {
            SetBuffer(null, 0, 0);
            BufferList = _segments;
        }

        if (!socket.SendAsync(this))
            Complete();
        return new ValueTask<int>(this, _completion.Version);
    }

    private void Complete()
    {
        if (SocketError == SocketError.Success)
            _completion.SetResult(BytesTransferred);
        else
            _completion.SetException(TcpErrors.Translate(new SocketException((int)SocketError)));
    }

    // Removes the first `count` bytes from the segment list after a partial send.
    private void DropSent(int count)
    {
        while (count > 0)
        {
            var first = _segments[0];
            if (first.Count <= count)
            {
                count -= first.Count;
                _segments.RemoveAt(0);
            }
            else
            {
                _segments[0] = first.Slice(count);
                count = 0;
            }
        }
    }
}
