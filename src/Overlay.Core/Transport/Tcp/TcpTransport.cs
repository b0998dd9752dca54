using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Overlay.Buffers;
using Overlay.Wire;

namespace Overlay.Transport.Tcp;

/// <summary>
/// TCP links over IPv4: listens on the node's endpoint, connects to peers, and exchanges handshakes so each side
/// knows the other's listening identity before a single frame flows.
/// </summary>
internal sealed partial class TcpTransport : ITransport
{
    // What a node accepts from its observer (status and control payloads): far above a node link's frames.
    private const int ObserverMaxPayloadLength = 16 * 1024 * 1024;

    // Accept's back-off when the process has no descriptors (or the system no socket buffers) left: the first pause,
    // doubled on every failure in a row up to the longest, so that a node out of descriptors retries a few times a
    // second instead of spinning a core, and accepts again within a second of descriptors coming free.
    private static readonly TimeSpan FirstAcceptBackOff = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan LongestAcceptBackOff = TimeSpan.FromSeconds(1);

    private readonly IPEndPoint _bindEndPoint;
    private readonly uint _overlayId;
    private readonly MessagePool _pool;
    private readonly int _maxPayloadLength;
    private readonly TimeSpan _handshakeTimeout;
    private readonly ILogger _logger;
    private readonly int? _socketBufferSize;
    private readonly byte[]? _secret;
    private readonly CancellationTokenSource _stopping = new();

    // Outbound connects end separately from accepting: a graceful stop stops accepting at once but lets a link still
    // connecting finish, so what was sent to it drains within the node's stop time-out.
    private readonly CancellationTokenSource _connecting = new();
    private int _disposed;
    private Socket? _listener;
    private Task _acceptLoop = Task.CompletedTask;
    private long _accepted;
    private int _inHandshake;
    private long _acceptBackOffs;

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

    /// <summary>A TCP connection is a reliable, ordered, flow-controlled byte stream.</summary>
    public TransportCapabilities Capabilities => TransportCapabilities.Stream;

    /// <summary>Accepted connections allowed in their handshake at once; more are closed as they are accepted.</summary>
    public int MaxPendingHandshakes { get; init; } = int.MaxValue;

    /// <summary>The node's accounting of read buffers and partly received messages; null accounts nothing.</summary>
    public ReceiveBudget? Budget { get; init; }

    /// <summary>The clock of the accept loop's back-off.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Connections the listener accepted (before any handshake).</summary>
    public long ConnectionsAccepted => Interlocked.Read(ref _accepted);

    /// <summary>Accepted connections whose handshake is under way now.</summary>
    public int ConnectionsInHandshake => Volatile.Read(ref _inHandshake);

    /// <summary>Pauses of the accept loop because descriptors or socket buffers ran out (each back-off counts).</summary>
    public long AcceptBackOffs => Interlocked.Read(ref _acceptBackOffs);

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
        catch (SocketException ex)
        {
            listener.Dispose();
            throw new TransportException(TransportFailure.AddressUnavailable, $"Cannot listen on {_bindEndPoint}: {ex.Message}", ex);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        _listener = listener;
        SpareDescriptors.TryHold();
        LocalId = NodeId.FromEndPoint((IPEndPoint)listener.LocalEndPoint!);
        _acceptLoop = AcceptLoopAsync(listener, handler);
    }

    /// <summary>Opens a link to <paramref name="remote"/>: connect, send our handshake, check theirs.</summary>
    /// <exception cref="TransportException">The peer could not be reached, or the connection broke in the handshake.</exception>
    /// <exception cref="WireFormatException">The peer answered with a bad handshake.</exception>
    public Task<IConnection> ConnectAsync(NodeId remote, CancellationToken cancellationToken) => ConnectAsync(remote, PeerRole.Node, cancellationToken);

    /// <inheritdoc cref="ITransport.ConnectAsync"/>
    public async Task<IConnection> ConnectAsync(NodeId remote, PeerRole role, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

        // The observer link is the node's own: no share of the node's receive budget, and a node stopping ends it
        // itself (not through CancelConnects).
        var observer = role == PeerRole.Observer;
        var reader = observer ? new FrameReader(_pool, ObserverMaxPayloadLength) : new FrameReader(_pool, _maxPayloadLength, Budget);
        try
        {
            TcpConnection.Configure(socket, observer ? null : _socketBufferSize);
            using var deadline = new CancellationTokenSource(_handshakeTimeout, TimeProvider);
            using var timeout = observer
                ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token)
                : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _connecting.Token, deadline.Token);
            try
            {
                await socket.ConnectAsync(remote.ToEndPoint(), timeout.Token);
            }
            catch (SocketException ex)
            {
                throw TcpErrors.Unreachable(ex);
            }

            try
            {
                await StreamHandshake.ConnectAsync(new SocketFrameSource(socket), reader, LocalId, remote, role, _overlayId, _secret, timeout.Token);
            }
            catch (SocketException ex)
            {
                throw TcpErrors.Translate(ex);
            }

            return new TcpConnection(socket, remote, reader);
        }
        catch
        {
            reader.Dispose();
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Closes the listener and ends the handshakes of accepted connections; connects under way go on (see
    /// <see cref="CancelConnects"/>).
    /// </summary>
    public async Task StopAcceptingAsync()
    {
        if (Volatile.Read(ref _disposed) != 0)
            return;
        await _stopping.CancelAsync();
        _listener?.Dispose();
        try
        {
            await _acceptLoop;
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Ends every connect under way (and refuses later ones): their <see cref="ConnectAsync(NodeId, PeerRole, CancellationToken)"/> throws.</summary>
    public void CancelConnects()
    {
        if (Volatile.Read(ref _disposed) == 0)
            _connecting.Cancel();
    }

    /// <summary>Stops accepting and ends every connect under way; a second call does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAcceptingAsync();
        CancelConnects();
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _stopping.Dispose();
        _connecting.Dispose();
    }

    private async Task AcceptLoopAsync(Socket listener, IConnectionHandler handler)
    {
        var backOff = TimeSpan.Zero;
        var failures = 0;
        var pausedAt = 0L;
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
            catch (SocketException ex) when (IsOneConnectionsFailure(ex.SocketErrorCode))
            {
                // A connection reset before accept completed: that connection is gone, the listener is fine.
                LogAcceptFailed(ex.SocketErrorCode);
                continue;
            }
            catch (SocketException ex) when (!IsOutOfDescriptors(ex.SocketErrorCode))
            {
                // Some other failure of the listener itself: nothing says descriptors ran out, so the spares stay
                // where they are; a short pause keeps a persistent error from spinning a core.
                LogAcceptError(ex.SocketErrorCode, ex);
                try
                {
                    await Task.Delay(FirstAcceptBackOff, TimeProvider, _stopping.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }
            catch (SocketException ex)
            {
                // Out of descriptors (EMFILE, ENFILE) or socket buffers: the connection stays in the backlog and the
                // next accept would fail again. Give the spare descriptors to the rest of the process (the runtime
                // aborts when it has none), pause, longer each time, and keep serving the links already open; accept
                // again only once the spares could be taken back. One warning per episode, one when it ends.
                if (failures++ == 0)
                {
                    pausedAt = TimeProvider.GetTimestamp();
                    LogAcceptsPaused(ex.SocketErrorCode);
                }

                SpareDescriptors.Release();
                do
                {
                    Interlocked.Increment(ref _acceptBackOffs);
                    backOff = backOff == TimeSpan.Zero ? FirstAcceptBackOff : TimeSpan.FromTicks(Math.Min(backOff.Ticks * 2, LongestAcceptBackOff.Ticks));
                    try
                    {
                        await Task.Delay(backOff, TimeProvider, _stopping.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
                while (!SpareDescriptors.TryHold());

                continue;
            }

            if (failures > 0)
            {
                LogAcceptsResumed(failures, TimeProvider.GetElapsedTime(pausedAt));
                failures = 0;
                backOff = TimeSpan.Zero;
            }

            Interlocked.Increment(ref _accepted);
            if (Interlocked.Increment(ref _inHandshake) > MaxPendingHandshakes)
            {
                // Connections that have proved nothing yet are bounded in number (and each in time, by the
                // handshake time-out): past the cap a connection is closed at once, which also gives its descriptor back.
                Interlocked.Decrement(ref _inHandshake);
                var remote = RemoteOf(socket);
                socket.Close(0);
                handler.OnRejected(remote, WireError.TooManyHandshakes, null);
                continue;
            }

            // Each handshake runs on its own so that a silent client cannot hold up the next one.
            _ = AcceptOneAsync(socket, handler);
        }
    }

    // Errors that concern the one connection accept was about to return (it went away first); anything else is about
    // the listener, the process or the system, and a retry at once would meet it again.
    private static bool IsOneConnectionsFailure(SocketError error) =>
        error is SocketError.ConnectionAborted or SocketError.ConnectionReset or SocketError.Interrupted or SocketError.TimedOut;

    // What .NET reports on Linux for EMFILE and ENFILE (TooManyOpenSockets) and for ENOBUFS and ENOMEM
    // (NoBufferSpaceAvailable): the only errors for which giving the spare descriptors away can help.
    private static bool IsOutOfDescriptors(SocketError error) =>
        error is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable;

    private static EndPoint? RemoteOf(Socket socket)
    {
        try
        {
            return socket.RemoteEndPoint;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return null;
        }
    }

    private async Task AcceptOneAsync(Socket socket, IConnectionHandler handler)
    {
        var reader = new FrameReader(_pool, _maxPayloadLength, Budget);
        EndPoint? remote = null;
        var inHandshake = true;
        try
        {
            remote = socket.RemoteEndPoint;
            TcpConnection.Configure(socket, _socketBufferSize);
            using var deadline = new CancellationTokenSource(_handshakeTimeout, TimeProvider);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, deadline.Token);
            var handshake = await StreamHandshake.AcceptAsync(new SocketFrameSource(socket), reader, LocalId, _overlayId, _secret, timeout.Token, _stopping.Token);

            Interlocked.Decrement(ref _inHandshake);
            inHandshake = false;
            handler.OnAccepted(new TcpConnection(socket, handshake.ListenEndpoint, reader));
        }
        catch (WireFormatException ex)
        {
            EndHandshake(ref inHandshake, reader, socket);
            handler.OnRejected(remote, ex.Error, ex);
        }
        catch (Exception ex) when (ex is SocketException or TransportException or OperationCanceledException or ObjectDisposedException)
        {
            EndHandshake(ref inHandshake, reader, socket);

            // A socket error is not a truncated stream (an orderly end inside the handshake, counted as Truncated).
            if (!_stopping.IsCancellationRequested)
                handler.OnRejected(remote, WireError.ConnectionReset, ex);
        }
        catch (Exception ex) when (inHandshake)
        {
            // Anything else (a bug, a configuration the socket refuses) still ends this one connection, never the
            // node: nobody awaits this task, so an escaping exception would only go unobserved.
            EndHandshake(ref inHandshake, reader, socket);
            LogHandshakeFailed(remote, ex);
            handler.OnRejected(remote, WireError.ConnectionReset, ex);
        }
        finally
        {
            // Whatever went wrong, a connection that never got past its handshake gives back its slot, its reader
            // (and with it its ReceiveBudget registration) and its socket: a leaked slot is never reclaimed, and
            // MaxPendingHandshakes leaks refuse every later connection.
            if (inHandshake)
                EndHandshake(ref inHandshake, reader, socket);
        }
    }

    private void EndHandshake(ref bool inHandshake, FrameReader reader, Socket socket)
    {
        if (inHandshake)
        {
            inHandshake = false;
            Interlocked.Decrement(ref _inHandshake);
        }

        reader.Dispose();
        socket.Dispose();
    }

    [LoggerMessage(EventId = 3002, EventName = "HandshakeFailed", Level = LogLevel.Warning, Message = "Handshake with {Remote} failed unexpectedly")]
    private partial void LogHandshakeFailed(EndPoint? remote, Exception exception);

    [LoggerMessage(EventId = 3003, EventName = "AcceptFailed", Level = LogLevel.Debug, Message = "Accept failed: {Error}")]
    private partial void LogAcceptFailed(SocketError error);

    [LoggerMessage(EventId = 3004, EventName = "AcceptsPaused", Level = LogLevel.Warning, Message = "Accept failed ({Error}): out of descriptors or socket buffers; pausing accepts, open links carry on")]
    private partial void LogAcceptsPaused(SocketError error);

    [LoggerMessage(EventId = 3005, EventName = "AcceptError", Level = LogLevel.Warning, Message = "Accept failed ({Error}); retrying after a short pause")]
    private partial void LogAcceptError(SocketError error, Exception exception);

    [LoggerMessage(EventId = 3006, EventName = "AcceptsResumed", Level = LogLevel.Information, Message = "Accepting again after {Failures} failed accepts over {Duration}")]
    private partial void LogAcceptsResumed(int failures, TimeSpan duration);
}
