using System.Net.Sockets;

namespace Overlay.Transport.Tcp;

/// <summary>
/// A framed TCP link: a socket, a <see cref="FrameReader"/> and a gather-sending <see cref="SocketSender"/>; its
/// kernel buffers are an optional capability (<see cref="IKernelBuffers"/>) the engine uses when present.
/// </summary>
internal sealed class TcpConnection : IConnection, IKernelBuffers
{
    private readonly Socket _socket;
    private readonly FrameReader _reader;
    private readonly SocketFrameSource _source;
    private readonly SocketSender _sender = new();
    private int _disposed;
    private int _receiving;

    // The kernel's own sizes before the first SetKernelBuffer of each direction (0: never changed).
    private int _originalSend;
    private int _originalReceive;

    public TcpConnection(Socket socket, NodeId remote, FrameReader reader)
    {
        _socket = socket;
        _reader = reader;
        _source = new SocketFrameSource(socket);
        Remote = remote;

        // When the node's budget for partly received messages closes this link, the pending read must return now.
        reader.SetAbort(Abort);
    }

    public NodeId Remote { get; }

    public TransportCapabilities Capabilities => TransportCapabilities.Stream;

    public long BytesReceived => _reader.BytesReceived;

    public int BytesWaiting
    {
        get
        {
            try
            {
                return _socket.Available;
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return 0;
            }
        }
    }

    public static void Configure(Socket socket, int? bufferSize)
    {
        // The engine batches frames itself; Nagle would only add latency to the last frame of a batch.
        socket.NoDelay = true;
        if (bufferSize is { } size)
        {
            socket.SendBufferSize = size;
            socket.ReceiveBufferSize = size;
        }
    }

    public void SetKernelBuffer(bool send, int? bytes)
    {
        try
        {
            ref var original = ref send ? ref _originalSend : ref _originalReceive;
            if (bytes is not { } size)
            {
                if (original == 0)
                    return;

                // Linux reports twice what was set (the kernel's bookkeeping share), so what it reported is halved.
                size = OperatingSystem.IsLinux() ? original / 2 : original;
                original = 0;
            }
            else if (original == 0)
            {
                original = send ? _socket.SendBufferSize : _socket.ReceiveBufferSize;
            }

            if (send)
                _socket.SendBufferSize = size;
            else
                _socket.ReceiveBufferSize = size;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // The connection is going away; its loops report that.
        }
    }

    public ValueTask SendAsync(ReadOnlyMemory<Message> batch, ISendProgress? progress = null) => _sender.SendAsync(_socket, batch, progress);

    public async Task ReceiveAsync(IFrameSink sink, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _receiving, 1) != 0)
            throw new InvalidOperationException("A connection has one receive loop.");
        try
        {
            await _reader.RunAsync(_source, sink, cancellationToken);
        }
        catch (SocketException ex)
        {
            throw TcpErrors.Translate(ex);
        }
        finally
        {
            // The staging buffer goes back only when no read can touch it any more.
            _reader.Dispose();
        }
    }

    public void Abort()
    {
        try
        {
            _socket.Close(0);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            try
            {
                _socket.Shutdown(SocketShutdown.Both);
            }
            catch (SocketException)
            {
            }
            catch (ObjectDisposedException)
            {
            }

            _socket.Dispose();
            _sender.Dispose();
            if (Interlocked.Exchange(ref _receiving, 1) == 0)
                _reader.Dispose();
        }

        return ValueTask.CompletedTask;
    }
}
