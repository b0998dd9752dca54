using System.Net;
using Microsoft.Extensions.Logging;
using Overlay.Wire;

namespace Overlay.Transport.InMemory;

/// <summary>
/// A node's transport on an <see cref="InMemoryNetwork"/>: connects by looking the peer up in the network and handing
/// it one end of a new pipe pair; both ends then run the same handshake (<see cref="StreamHandshake"/>) as TCP.
/// </summary>
/// <remarks>
/// No sockets and no wall clock: the handshake time-out runs on the node's <see cref="TimeProvider"/>, and every wait
/// is on the pipes. An accepted connection's handshake runs on its own, like TCP's accept, so a silent connector
/// holds up nobody.
/// </remarks>
internal sealed partial class InMemoryTransport : ITransport
{
    private readonly InMemoryNetwork _network;
    private readonly TransportSetup _setup;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _connecting = new();
    private IConnectionHandler? _handler;
    private long _accepted;
    private int _inHandshake;
    private int _accepting;
    private int _disposed;

    public InMemoryTransport(InMemoryNetwork network, TransportSetup setup)
    {
        _network = network;
        _setup = setup;
        _logger = setup.LoggerFactory.CreateLogger<InMemoryTransport>();
    }

    public NodeId LocalId { get; private set; }

    public TransportCapabilities Capabilities => TransportCapabilities.Stream;

    public long ConnectionsAccepted => Interlocked.Read(ref _accepted);

    public int ConnectionsInHandshake => Volatile.Read(ref _inHandshake);

    public long AcceptBackOffs => 0;

    public void Start(IConnectionHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (Interlocked.CompareExchange(ref _handler, handler, null) is not null)
            throw new InvalidOperationException("A transport starts once.");
        LocalId = _network.Assign(_setup.Options.Port);
        Volatile.Write(ref _accepting, 1);
        _network.Listen(this);
    }

    public async Task<IConnection> ConnectAsync(NodeId remote, PeerRole role, CancellationToken cancellationToken)
    {
        var observer = role == PeerRole.Observer;
        using var timeout = new CancellationTokenSource(_setup.Options.HandshakeTimeout, _setup.TimeProvider);
        using var linked = observer
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token)
            : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token, _connecting.Token);
        linked.Token.ThrowIfCancellationRequested();

        // An observer lives outside the network (its package listens on TCP), so on this transport it is unreachable
        // unless something on the network answers as one.
        if (!_network.TryFind(remote, out var peer))
            throw new TransportException(TransportFailure.Unreachable, $"Nothing listens at {remote} on this in-memory network.");

        var (mine, theirs) = InMemoryStream.CreatePair(_network.PipeCapacity);
        var options = _setup.Options;
        var reader = observer ? new FrameReader(_setup.Pool, 16 * 1024 * 1024) : new FrameReader(_setup.Pool, options.MaxPayloadLength, _setup.Budget);
        try
        {
            peer.Accept(theirs, LocalId);
            await StreamHandshake.ConnectAsync(mine, reader, LocalId, remote, role, options.OverlayId, _setup.Secret, linked.Token);
            return new InMemoryConnection(mine, remote, reader);
        }
        catch
        {
            // Closed, not reset, as a socket is: an acceptor waiting for a proof reads the end of the stream.
            reader.Dispose();
            mine.Close();
            throw;
        }
    }

    public Task StopAcceptingAsync()
    {
        if (Interlocked.Exchange(ref _accepting, 0) == 1)
        {
            _network.StopListening(this);
            if (Volatile.Read(ref _disposed) == 0)
                _stopping.Cancel();
        }

        return Task.CompletedTask;
    }

    public void CancelConnects()
    {
        if (Volatile.Read(ref _disposed) == 0)
            _connecting.Cancel();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAcceptingAsync();
        CancelConnects();
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _stopping.Dispose();
        _connecting.Dispose();
    }

    /// <summary>A peer on the network opened a connection to this node: accept it, or reset it when not accepting.</summary>
    private void Accept(InMemoryStream stream, NodeId from)
    {
        var handler = Volatile.Read(ref _handler);
        if (handler is null || Volatile.Read(ref _accepting) == 0)
        {
            // Nobody accepts: the connector sees a reset, as on a closed TCP port.
            stream.Abort();
            return;
        }

        Interlocked.Increment(ref _accepted);
        if (Interlocked.Increment(ref _inHandshake) > _setup.Options.MaxPendingHandshakes)
        {
            Interlocked.Decrement(ref _inHandshake);
            stream.Abort();
            handler.OnRejected(EndPointOf(from), WireError.TooManyHandshakes, null);
            return;
        }

        _ = AcceptOneAsync(stream, from, handler);
    }

    private async Task AcceptOneAsync(InMemoryStream stream, NodeId from, IConnectionHandler handler)
    {
        var reader = new FrameReader(_setup.Pool, _setup.Options.MaxPayloadLength, _setup.Budget);
        var inHandshake = true;
        var remote = EndPointOf(from);
        try
        {
            using var timeout = new CancellationTokenSource(_setup.Options.HandshakeTimeout, _setup.TimeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _stopping.Token);
            var handshake = await StreamHandshake.AcceptAsync(stream, reader, LocalId, _setup.Options.OverlayId, _setup.Secret, linked.Token, _stopping.Token);
            Interlocked.Decrement(ref _inHandshake);
            inHandshake = false;
            handler.OnAccepted(new InMemoryConnection(stream, handshake.ListenEndpoint, reader));
        }
        catch (WireFormatException ex)
        {
            EndHandshake(ref inHandshake, reader, stream);
            handler.OnRejected(remote, ex.Error, ex);
        }
        catch (Exception ex) when (ex is TransportException or OperationCanceledException or ObjectDisposedException)
        {
            EndHandshake(ref inHandshake, reader, stream);
            if (!IsStopping)
                handler.OnRejected(remote, WireError.ConnectionReset, ex);
        }
        catch (Exception ex) when (inHandshake)
        {
            // Anything else still ends this one connection, never the node (nobody awaits this task).
            EndHandshake(ref inHandshake, reader, stream);
            LogHandshakeFailed(remote, ex);
            handler.OnRejected(remote, WireError.ConnectionReset, ex);
        }
        finally
        {
            if (inHandshake)
                EndHandshake(ref inHandshake, reader, stream);
        }
    }

    private bool IsStopping => Volatile.Read(ref _accepting) == 0;

    private static IPEndPoint EndPointOf(NodeId id) => id.ToEndPoint();

    private void EndHandshake(ref bool inHandshake, FrameReader reader, InMemoryStream stream)
    {
        if (inHandshake)
        {
            inHandshake = false;
            Interlocked.Decrement(ref _inHandshake);
        }

        reader.Dispose();
        stream.Close();
    }

    [LoggerMessage(EventId = 3010, EventName = "InMemoryHandshakeFailed", Level = LogLevel.Warning, Message = "Handshake with {Remote} failed unexpectedly")]
    private partial void LogHandshakeFailed(EndPoint? remote, Exception exception);
}
