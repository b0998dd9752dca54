using System.Runtime.CompilerServices;
using Overlay.Buffers;
using Overlay.Transport;
using Overlay.Wire;

namespace Overlay.Engine;

/// <summary>
/// A link this node opened to a peer: the node's loop fills the outbound buffer, the send loop drains it in
/// batches, one gather write per batch. Opened on the first send to the peer and reused by every application.
/// </summary>
internal sealed class DownstreamLink : IFrameSink
{
    private const int MaxBatchMessages = 64;
    private const int MaxBatchBytes = 256 * 1024;

    private readonly OverlayNode _node;
    private readonly SpscRing<Message> _buffer;

    private readonly AsyncSignal _work = new();
    private readonly Message[] _batch = new Message[MaxBatchMessages];
    private int _senderWaiting;
    private int _completing;
    private int _closing;
    private long _messages;
    private long _bytes;
    private IConnection? _connection;

    public DownstreamLink(OverlayNode node, NodeId peer, int capacity)
    {
        _node = node;
        Peer = peer;
        _buffer = new SpscRing<Message>(capacity);
    }

    public NodeId Peer { get; }

    /// <summary>
    /// Sends that did not fit, oldest first (node loop only). While any waits, new sends queue behind it,
    /// so a link carries messages in exactly the order the algorithm sent them.
    /// </summary>
    public Queue<PendingSend> Waiting { get; } = new();

    public Task SendLoop { get; private set; } = Task.CompletedTask;

    /// <summary>True once the connection is open and handshaken.</summary>
    public bool IsConnected => Volatile.Read(ref _connection) is not null;

    /// <summary>True when the link ended before it ever connected.</summary>
    public bool NeverConnected { get; private set; }

    public Exception? CloseException { get; private set; }

    public WireError CloseReason { get; private set; }

    public long MessagesSent => Volatile.Read(ref _messages);

    public long BytesSent => Volatile.Read(ref _bytes);

    public int Buffered => _buffer.Count;

    public int Capacity => _buffer.Capacity;

    /// <summary>True when the outbound buffer has room for one more data message.</summary>
    public bool HasRoom => !_buffer.IsFull;

    public void Start(TcpTransport transport) => SendLoop = RunAsync(transport);

    /// <summary>Queues a data message if there is room; takes its own reference when it does.</summary>
    public bool TryEnqueue(Message message)
    {
        message.Retain();
        if (!_buffer.TryEnqueue(message))
        {
            message.Release();
            return false;
        }

        WakeSender();
        return true;
    }

    /// <summary>Lets the send loop finish what is queued, then close.</summary>
    public void Complete()
    {
        Volatile.Write(ref _completing, 1);
        _work.Set();
    }

    /// <summary>Closes at once; the send loop ends and reports through the node's inbox.</summary>
    public void Close()
    {
        Volatile.Write(ref _closing, 1);
        Volatile.Read(ref _connection)?.Abort();
        _work.Set();
    }

    /// <summary>Releases what is still queued. Only once the send loop has ended.</summary>
    public int DrainAfterClose()
    {
        var released = 0;
        while (_buffer.TryDequeue(out var message))
        {
            message.Release();
            released++;
        }

        return released;
    }

    ValueTask IFrameSink.OnMessageAsync(Message message)
    {
        // Nothing but link-internal frames may travel against the direction of use.
        var internalType = MessageTypes.IsLinkInternal(message.Type);
        message.Release();
        if (!internalType)
            throw new WireFormatException(WireError.UnknownType, "A data frame arrived on a send-only link.");
        return ValueTask.CompletedTask;
    }

    private void WakeSender()
    {
        if (Interlocked.CompareExchange(ref _senderWaiting, 0, 1) == 1)
            _work.Set();
    }

    private async Task RunAsync(TcpTransport transport)
    {
        IConnection? connection = null;
        var inFlight = 0;
        try
        {
            connection = await transport.ConnectAsync(Peer, CancellationToken.None);
            Volatile.Write(ref _connection, connection);
            if (Volatile.Read(ref _closing) != 0)
                connection.Abort();
            _ = WatchReverseAsync(connection);

            while (true)
            {
                inFlight = FillBatch();
                if (inFlight == 0)
                {
                    if (Volatile.Read(ref _closing) != 0)
                        return;
                    if (Volatile.Read(ref _completing) != 0)
                        return;
                    await WaitForWorkAsync();
                    continue;
                }

                // Room was made in the outbound buffer: a stalled switch may go on.
                _node.Wake();
                await connection.SendAsync(_batch.AsMemory(0, inFlight));
                long bytes = 0;
                for (var i = 0; i < inFlight; i++)
                {
                    bytes += _batch[i].FrameLength;
                    _batch[i].Release();
                    _batch[i] = null!;
                }

                Volatile.Write(ref _messages, _messages + inFlight);
                Volatile.Write(ref _bytes, _bytes + bytes);
                inFlight = 0;
            }
        }
        catch (Exception ex)
        {
            NeverConnected = connection is null;
            CloseException = ex;
            CloseReason = ex is WireFormatException wire ? wire.Error : WireError.None;
            for (var i = 0; i < inFlight; i++)
            {
                _batch[i].Release();
                _batch[i] = null!;
            }
        }
        finally
        {
            if (connection is not null)
                await connection.DisposeAsync();
            _node.Post(new NodeEvent(NodeEventKind.DownstreamClosed, this));
        }
    }

    private int FillBatch()
    {
        var count = 0;
        var bytes = 0;
        while (count < MaxBatchMessages && bytes < MaxBatchBytes && _buffer.TryDequeue(out var message))
        {
            _batch[count++] = message;
            bytes += message.FrameLength;
        }

        return count;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WaitForWorkAsync()
    {
        Interlocked.Exchange(ref _senderWaiting, 1);
        if (!_buffer.IsEmpty || Volatile.Read(ref _completing) != 0 || Volatile.Read(ref _closing) != 0)
        {
            Volatile.Write(ref _senderWaiting, 0);
            return;
        }

        await _work.WaitAsync();
    }

    // The peer never sends on this connection but link-internal frames; reading it is how a dead peer shows.
    private async Task WatchReverseAsync(IConnection connection)
    {
        try
        {
            await connection.ReceiveAsync(this, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            CloseException ??= ex;
        }

        if (Volatile.Read(ref _completing) == 0)
            Close();
    }
}
