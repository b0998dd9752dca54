using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Overlay.Buffers;
using Overlay.Emulation;
using Overlay.Transport;
using Overlay.Wire;

namespace Overlay.Observer.Client;

/// <summary>
/// The overlay's observer (iOverlay's monitoring GUI, as a library): nodes connect to it to bootstrap; it polls
/// their status into a live model, sends them control commands and records their traces.
/// </summary>
/// <remarks>
/// Thread-safe. Each node costs one connection and one receive loop; status polling never has more than one
/// request outstanding per node and keeps only the latest report, so memory stays bounded with thousands of nodes,
/// and commands do not wait behind status traffic.
/// </remarks>
public sealed partial class OverlayObserver : IAsyncDisposable
{
    private readonly ObserverOptions _options;
    private readonly ILogger _logger;
    private readonly byte[]? _secret;
    private readonly ConcurrentDictionary<NodeId, NodeConnection> _connections = new();
    private readonly ConcurrentDictionary<NodeId, NodeView> _nodes = new();
    private readonly ConcurrentDictionary<WireError, long> _rejected = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Random _random;
    private readonly object _randomGate = new();
    private TraceLog? _traceLog;
    private Socket? _listener;
    private Task _accept = Task.CompletedTask;
    private Task _poll = Task.CompletedTask;
    private long _traces;

    /// <summary>Creates an observer; call <see cref="StartAsync"/> to listen.</summary>
    public OverlayObserver(ObserverOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Copy();
        _logger = (_options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<OverlayObserver>();
        _secret = _options.SharedSecret is null ? null : System.Text.Encoding.UTF8.GetBytes(_options.SharedSecret);
        _random = _options.Seed is { } seed ? new Random(seed) : new Random();
    }

    /// <summary>Raised (on a thread-pool thread) whenever what the observer knows of a node changes.</summary>
    public event EventHandler<NodeView>? NodeChanged;

    /// <summary>Raised for every trace a node sends, after it is queued for the log: when it arrived, from which node, its text.</summary>
    public event EventHandler<TraceRecord>? TraceReceived;

    /// <summary>The observer's endpoint, as nodes should be given it (<see cref="OverlayNodeOptions.ObserverEndPoint"/>).</summary>
    public IPEndPoint EndPoint => Id.ToEndPoint();

    /// <summary>The observer's identity; known once <see cref="StartAsync"/> returns.</summary>
    public NodeId Id { get; private set; }

    /// <summary>Traces received so far.</summary>
    public long TracesReceived => Interlocked.Read(ref _traces);

    /// <summary>Connections refused before they were accepted, by reason (wrong secret, replay, other overlay…).</summary>
    public IReadOnlyDictionary<WireError, long> RejectedConnections => new Dictionary<WireError, long>(_rejected);

    internal MessagePool Pool { get; } = new();

    /// <summary>Binds and starts accepting nodes and polling them.</summary>
    public Task StartAsync()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(_options.BindAddress, _options.Port));
        listener.Listen(4096);
        _listener = listener;
        Id = NodeId.FromEndPoint((IPEndPoint)listener.LocalEndPoint!);
        if (_options.TraceLogPath is { } path)
            _traceLog = new TraceLog(path);
        _accept = AcceptLoopAsync(listener);
        _poll = PollLoopAsync();
        LogStarted(Id);
        return Task.CompletedTask;
    }

    /// <summary>Stops listening, closes every node connection and flushes the trace log. Nodes keep running.</summary>
    public async Task StopAsync()
    {
        if (_stopping.IsCancellationRequested)
            return;
        await _stopping.CancelAsync();
        _listener?.Dispose();
        foreach (var connection in _connections.Values)
            connection.Close();
        await IgnoreCancellation(_accept);
        await IgnoreCancellation(_poll);
        await Task.WhenAll(_connections.Values.Select(c => c.Run));
        if (_traceLog is not null)
            await _traceLog.DisposeAsync();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stopping.Dispose();
    }

    /// <summary>Every node the observer has seen, alive or dead.</summary>
    public IReadOnlyList<NodeView> GetNodes() => [.. _nodes.Values.OrderBy(n => n.Id)];

    /// <summary>What the observer knows of <paramref name="node"/>, or null.</summary>
    public NodeView? GetNode(NodeId node) => _nodes.TryGetValue(node, out var view) ? view : null;

    /// <summary>Sets a node's total, upload or download bandwidth (null removes the limit), as <see cref="OverlayNode.SetBandwidth"/> does.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bytesPerSecond"/> is zero, negative, NaN or infinite (checked here; the node checks again).</exception>
    public Task SetBandwidthAsync(NodeId node, BandwidthScope scope, double? bytesPerSecond, CancellationToken cancellationToken = default)
    {
        TokenBucket.ValidateRate(bytesPerSecond);
        return CommandAsync(node, new ControlRequest { Kind = ControlKind.SetBandwidth, Scope = scope, BytesPerSecond = bytesPerSecond }, cancellationToken);
    }

    /// <summary>
    /// Sets the bandwidth of one direction of the link between <paramref name="node"/> and <paramref name="peer"/> (null
    /// removes the limit), as <see cref="OverlayNode.SetLinkBandwidth"/> does.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bytesPerSecond"/> is zero, negative, NaN or infinite (checked here; the node checks again).</exception>
    public Task SetLinkBandwidthAsync(NodeId node, NodeId peer, LinkDirection direction, double? bytesPerSecond, CancellationToken cancellationToken = default)
    {
        TokenBucket.ValidateRate(bytesPerSecond);
        return CommandAsync(node, new ControlRequest { Kind = ControlKind.SetLinkBandwidth, Peer = peer.ToString(), Direction = direction, BytesPerSecond = bytesPerSecond }, cancellationToken);
    }

    /// <summary>Deploys a data source for <paramref name="applicationId"/> on <paramref name="node"/>.</summary>
    public Task DeploySourceAsync(NodeId node, int applicationId, int payloadLength = 5 * 1024, CancellationToken cancellationToken = default) =>
        CommandAsync(node, new ControlRequest { Kind = ControlKind.DeploySource, ApplicationId = applicationId, PayloadLength = payloadLength }, cancellationToken);

    /// <summary>Terminates the source of <paramref name="applicationId"/> on <paramref name="node"/>.</summary>
    public Task TerminateSourceAsync(NodeId node, int applicationId, CancellationToken cancellationToken = default) =>
        CommandAsync(node, new ControlRequest { Kind = ControlKind.TerminateSource, ApplicationId = applicationId }, cancellationToken);

    /// <summary>Asks <paramref name="node"/>'s algorithm to join <paramref name="applicationId"/>.</summary>
    public Task JoinAsync(NodeId node, int applicationId, CancellationToken cancellationToken = default) =>
        CommandAsync(node, new ControlRequest { Kind = ControlKind.Join, ApplicationId = applicationId }, cancellationToken);

    /// <summary>Asks <paramref name="node"/>'s algorithm to leave <paramref name="applicationId"/>.</summary>
    public Task LeaveAsync(NodeId node, int applicationId, CancellationToken cancellationToken = default) =>
        CommandAsync(node, new ControlRequest { Kind = ControlKind.Leave, ApplicationId = applicationId }, cancellationToken);

    /// <summary>Terminates <paramref name="node"/>; the model marks it dead once its connection closes.</summary>
    public Task TerminateNodeAsync(NodeId node, CancellationToken cancellationToken = default) =>
        CommandAsync(node, new ControlRequest { Kind = ControlKind.TerminateNode }, cancellationToken);

    // Two overloads with an optional token (RS0026): they differ in a required parameter (the payload), so no call is
    // ambiguous, and a token stays optional as on every other command.
#pragma warning disable RS0026
    /// <summary>Sends an algorithm-specific command with two integers to <paramref name="node"/>.</summary>
    public Task SendCustomAsync(NodeId node, int first, int second, CancellationToken cancellationToken = default) =>
        CommandAsync(node, new ControlRequest { Kind = ControlKind.Custom, First = first, Second = second }, cancellationToken);

    /// <summary>
    /// Sends an algorithm-specific command with two integers and <paramref name="payload"/> (the message's payload at the
    /// node) to <paramref name="node"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="payload"/> is longer than <see cref="ControlRequest.MaxCustomPayloadLength"/>.</exception>
    public Task SendCustomAsync(NodeId node, int first, int second, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(payload.Length, ControlRequest.MaxCustomPayloadLength, nameof(payload));
        return CommandAsync(node, new ControlRequest { Kind = ControlKind.Custom, First = first, Second = second, Payload = payload.ToArray() }, cancellationToken);
    }
#pragma warning restore RS0026

    internal void Touch(NodeId node) =>
        _nodes.AddOrUpdate(node, static id => new NodeView(id, true, DateTimeOffset.UtcNow, null, 0), static (_, view) => view with { LastSeen = DateTimeOffset.UtcNow });

    internal void OnBoot(NodeConnection connection)
    {
        var view = _nodes.AddOrUpdate(
            connection.Node,
            static id => new NodeView(id, true, DateTimeOffset.UtcNow, null, 1),
            static (_, old) => old with { IsAlive = true, LastSeen = DateTimeOffset.UtcNow, Registrations = old.Registrations + 1 });
        var live = _connections.Keys.Where(id => id != connection.Node).ToList();
        List<NodeId> subset;
        lock (_randomGate)
            subset = [.. live.OrderBy(_ => _random.Next()).Take(_options.BootstrapSubsetSize)];
        _ = SafeAsync(connection.SendBootstrapAsync(subset));
        LogBoot(connection.Node, subset.Count);
        NodeChanged?.Invoke(this, view);
    }

    internal void OnStatus(NodeId node, NodeStatus? status)
    {
        var view = _nodes.AddOrUpdate(
            node,
            id => new NodeView(id, true, DateTimeOffset.UtcNow, status, 0),
            (_, old) => old with { IsAlive = true, LastSeen = DateTimeOffset.UtcNow, Status = status });
        NodeChanged?.Invoke(this, view);
    }

    internal void OnTrace(NodeId node, string text)
    {
        Interlocked.Increment(ref _traces);
        var trace = new TraceRecord(DateTimeOffset.UtcNow, node, text);
        _traceLog?.Append(trace);
        TraceReceived?.Invoke(this, trace);
    }

    internal void OnClosed(NodeConnection connection)
    {
        // Only the current connection of a node decides its liveness; a replaced one says nothing.
        if (!_connections.TryRemove(new KeyValuePair<NodeId, NodeConnection>(connection.Node, connection)))
            return;
        if (_nodes.TryGetValue(connection.Node, out var view))
        {
            var dead = view with { IsAlive = false };
            _nodes[connection.Node] = dead;
            LogNodeLost(connection.Node);
            NodeChanged?.Invoke(this, dead);
        }
    }

    /// <summary>Sends <paramref name="request"/> as it is and waits for the node's acknowledgement (tests send requests a public method would refuse).</summary>
    internal async Task CommandAsync(NodeId node, ControlRequest request, CancellationToken cancellationToken)
    {
        if (!_connections.TryGetValue(node, out var connection))
            throw new ObserverCommandException($"{node} is not connected to this observer.");
        ControlAck ack;
        try
        {
            ack = await connection.CommandAsync(request, _options.CommandTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{node} did not acknowledge {request.Kind} within {_options.CommandTimeout}.");
        }

        if (!ack.Ok)
            throw new ObserverCommandException($"{node} refused {request.Kind}: {ack.Error}");
    }

    private async Task AcceptLoopAsync(Socket listener)
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
            catch (SocketException)
            {
                continue;
            }

            _ = AcceptOneAsync(socket);
        }
    }

    private async Task AcceptOneAsync(Socket socket)
    {
        var reader = new FrameReader(Pool, 16 * 1024);
        var remote = socket.RemoteEndPoint;
        try
        {
            TcpConnection.Configure(socket, null);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            timeout.CancelAfter(_options.HandshakeTimeout);
            Handshake handshake;
            try
            {
                handshake = await HandshakeExchange.AcceptAsync(
                    socket, reader, new Handshake(Id, _options.OverlayId, HandshakeFlags.Observer), _secret, Validate, timeout.Token);
            }
            catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
            {
                throw new WireFormatException(WireError.HandshakeTimeout);
            }

            var connection = new NodeConnection(this, new TcpConnection(socket, handshake.ListenEndpoint, reader));
            if (_connections.TryGetValue(handshake.ListenEndpoint, out var previous))
                previous.Close(); // the node reconnected; its old connection is stale
            _connections[handshake.ListenEndpoint] = connection;
            connection.Start();
        }
        catch (Exception ex) when (ex is WireFormatException or SocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            reader.Dispose();
            socket.Dispose();
            if (_stopping.IsCancellationRequested)
                return;
            var reason = ex is WireFormatException wire ? wire.Error : WireError.Truncated;
            _rejected.AddOrUpdate(reason, 1, static (_, n) => n + 1);
            LogRejected(remote?.ToString() ?? "?", reason, ex.Message);
        }
    }

    private void Validate(Handshake handshake)
    {
        if (handshake.OverlayId != _options.OverlayId)
            throw new WireFormatException(WireError.WrongOverlay);
        if ((handshake.Flags & HandshakeFlags.Observer) != 0)
            throw new WireFormatException(WireError.BadHandshake, "Another observer connected.");
    }

    private async Task PollLoopAsync()
    {
        using var timer = new PeriodicTimer(_options.StatusInterval);
        while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
        {
            foreach (var connection in _connections.Values)
                _ = SafeAsync(connection.RequestStatusAsync());
        }
    }

    private static async Task SafeAsync(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or InvalidOperationException or IOException)
        {
            // A node that went away; its connection's receive loop reports it.
        }
    }

    private static async Task IgnoreCancellation(Task task)
    {
        try
        {
            await task;
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Observer listening on {Id}")]
    private partial void LogStarted(NodeId id);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Node} bootstrapped with {Count} known hosts")]
    private partial void LogBoot(NodeId node, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Node} disconnected")]
    private partial void LogNodeLost(NodeId node);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused connection from {Remote}: {Reason} {Detail}")]
    private partial void LogRejected(string remote, WireError reason, string detail);
}
