using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;

namespace Overlay.Transport;

/// <summary>
/// Writes a batch of messages with one gather send (one system call for many frames), reusing a single
/// <see cref="SocketAsyncEventArgs"/> so that a send allocates nothing.
/// </summary>
/// <remarks>The idiom of Kestrel's socket transport <c>SocketSender</c>: the event args is its own awaitable.</remarks>
internal sealed class SocketSender : SocketAsyncEventArgs, IValueTaskSource<int>
{
    private readonly List<ArraySegment<byte>> _segments = new(64);
    private ManualResetValueTaskSourceCore<int> _completion;

    public SocketSender()
        : base(unsafeSuppressExecutionContextFlow: true)
    {
        _completion.RunContinuationsAsynchronously = false;
    }

    /// <summary>Sends the frames of <paramref name="batch"/> completely, in order.</summary>
    /// <exception cref="SocketException">The connection broke.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SendAsync(Socket socket, ReadOnlyMemory<Message> batch)
    {
        _segments.Clear();
        var total = 0;
        foreach (var message in batch.Span)
        {
            _segments.Add(new ArraySegment<byte>(message.Buffer, 0, message.FrameLength));
            total += message.FrameLength;
        }

        var remaining = total;
        while (remaining > 0)
        {
            var bytes = await SendSegmentsAsync(socket);
            if (bytes <= 0)
                throw new SocketException((int)SocketError.ConnectionReset);
            remaining -= bytes;
            if (remaining > 0)
                DropSent(bytes);
        }

        _segments.Clear();
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
            _completion.SetException(new SocketException((int)SocketError));
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
