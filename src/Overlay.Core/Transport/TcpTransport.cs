using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Overlay.Buffers;
using Overlay.Wire;

namespace Overlay.Transport;

/// <summary>
/// TCP links over IPv4: listens on the node's endpoint, connects to peers, and exchanges handshakes so each side
/// knows the other's listening identity before a single frame flows.
/// </summary>
internal sealed partial class TcpTransport : IAsyncDisposable
{
    private readonly IPEndPoint _bindEndPoint;
    private readonly uint _overlayId;
    private readonly MessagePool _pool;
    private readonly int _maxPayloadLength;
    private readonly TimeSpan _handshakeTimeout;
    private readonly ILogger _logger;
    private readonly int? _socketBufferSize;
    private readonly byte[]? _secret;
    private readonly CancellationTokenSource _stopping = new();
    private Socket? _listener;
    private Task _acceptLoop = Task.CompletedTask;

    public TcpTransport(IPEndPoint bindEndPoint, uint overlayId, MessagePool pool, int maxPayloadLength, TimeSpan handshakeTimeout, ILogger logger, int? socketBufferSize = null, byte[]? secret = null)
    {
        _socketBufferSize = socketBufferSize;
        _secret = secret;
        _bindEndPoint = bindEndPoint;
        _overlayId = overlayId;
        _pool = pool;
        _maxPayloadLength = maxPayloadLength;
        _handshakeTimeout = handshakeTimeout;
        _logger = logger;
    }

    /// <summary>This node's identity; valid after <see cref="Start"/>.</summary>
    public NodeId LocalId { get; private set; }

    /// <summary>Binds the listening socket and starts accepting.</summary>
    public void Start(IConnectionHandler handler)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (_socketBufferSize is { } size)
                listener.ReceiveBufferSize = size; // inherited by accepted sockets, so it applies from the SYN on
            listener.Bind(_bindEndPoint);
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        _listener = listener;
        LocalId = NodeId.FromEndPoint((IPEndPoint)listener.LocalEndPoint!);
        _acceptLoop = AcceptLoopAsync(listener, handler);
    }

    /// <summary>Opens a link to <paramref name="remote"/>: connect, send our handshake, check theirs.</summary>
    /// <exception cref="SocketException">The peer could not be reached.</exception>
    /// <exception cref="WireFormatException">The peer answered with a bad handshake.</exception>
    public async Task<IConnection> ConnectAsync(NodeId remote, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var reader = new FrameReader(_pool, _maxPayloadLength);
        try
        {
            TcpConnection.Configure(socket, _socketBufferSize);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
            timeout.CancelAfter(_handshakeTimeout);
            await socket.ConnectAsync(remote.ToEndPoint(), timeout.Token);
            var handshake = await HandshakeExchange.ConnectAsync(socket, reader, new Handshake(LocalId, _overlayId), _secret, timeout.Token);
            if ((handshake.Flags & HandshakeFlags.Observer) != 0)
                throw new WireFormatException(WireError.BadHandshake, $"{remote} is an observer, not a node.");
            if (handshake.OverlayId != _overlayId)
                throw new WireFormatException(WireError.WrongOverlay, $"Peer belongs to overlay {handshake.OverlayId}, this node to {_overlayId}.");
            if (handshake.ListenEndpoint != remote)
                throw new WireFormatException(WireError.BadHandshake, $"Connected to {remote} but the peer says it is {handshake.ListenEndpoint}.");
            return new TcpConnection(socket, remote, reader);
        }
        catch
        {
            reader.Dispose();
            socket.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener?.Dispose();
        try
        {
            await _acceptLoop;
        }
        catch (OperationCanceledException)
        {
        }

        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync(Socket listener, IConnectionHandler handler)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                // A connection reset before accept completed: that connection is gone, the listener is fine.
                LogAcceptFailed(ex.SocketErrorCode);
                continue;
            }

            // Each handshake runs on its own so that a silent client cannot hold up the next one.
            _ = AcceptOneAsync(socket, handler);
        }
    }

    private async Task AcceptOneAsync(Socket socket, IConnectionHandler handler)
    {
        var reader = new FrameReader(_pool, _maxPayloadLength);
        EndPoint? remote = null;
        try
        {
            remote = socket.RemoteEndPoint;
            TcpConnection.Configure(socket, _socketBufferSize);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            timeout.CancelAfter(_handshakeTimeout);
            Handshake handshake;
            try
            {
                handshake = await HandshakeExchange.AcceptAsync(socket, reader, new Handshake(LocalId, _overlayId), _secret, ValidatePeer, timeout.Token);
            }
            catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
            {
                throw new WireFormatException(WireError.HandshakeTimeout);
            }

            handler.OnAccepted(new TcpConnection(socket, handshake.ListenEndpoint, reader));
        }
        catch (WireFormatException ex)
        {
            reader.Dispose();
            socket.Dispose();
            handler.OnRejected(remote, ex.Error, ex);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            reader.Dispose();
            socket.Dispose();
            if (!_stopping.IsCancellationRequested)
                handler.OnRejected(remote, WireError.Truncated, ex);
        }
    }

    private void ValidatePeer(Handshake handshake)
    {
        if (handshake.OverlayId != _overlayId)
            throw new WireFormatException(WireError.WrongOverlay, $"Peer belongs to overlay {handshake.OverlayId}, this node to {_overlayId}.");
        if ((handshake.Flags & HandshakeFlags.Observer) != 0)
            throw new WireFormatException(WireError.BadHandshake, "Observers do not connect to nodes; nodes connect to their observer.");
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Accept failed: {Error}")]
    private partial void LogAcceptFailed(SocketError error);
}
