using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Overlay.Transport;
using Overlay.Wire;

namespace Overlay.Observer;

/// <summary>
/// A node's side of the observer protocol: connects (and reconnects with back-off), bootstraps, answers status
/// requests, carries out control commands and forwards traces. Runs beside the data plane and never blocks it:
/// losing the observer only pauses reporting.
/// </summary>
internal sealed partial class ObserverSession : IFrameSink, IAsyncDisposable
{
    private const int MaxQueuedTraces = 65_536;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private readonly OverlayNode _node;
    private readonly IPEndPoint _observer;
    private readonly uint _overlayId;
    private readonly byte[]? _secret;
    private readonly TimeSpan _handshakeTimeout;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Channel<Message> _outbox = Channel.CreateUnbounded<Message>(new UnboundedChannelOptions { SingleReader = true });
    private Task _run = Task.CompletedTask;
    private TcpConnection? _connection;
    private int _queuedTraces;
    private long _tracesDropped;
    private long _connections;

    public ObserverSession(OverlayNode node, IPEndPoint observer, uint overlayId, byte[]? secret, TimeSpan handshakeTimeout, ILogger logger)
    {
        _node = node;
        _observer = observer;
        _overlayId = overlayId;
        _secret = secret;
        _handshakeTimeout = handshakeTimeout;
        _logger = logger;
    }

    public long TracesDropped => Interlocked.Read(ref _tracesDropped);

    /// <summary>How many times the session has connected (1 after the first, more after reconnects).</summary>
    public long Connections => Interlocked.Read(ref _connections);

    public bool IsConnected => Volatile.Read(ref _connection) is not null;

    public void Start() => _run = RunAsync();

    /// <summary>Queues a trace line for the observer; drops it (and counts) when too many are waiting.</summary>
    public void Trace(string text)
    {
        if (Interlocked.Increment(ref _queuedTraces) > MaxQueuedTraces)
        {
            Interlocked.Decrement(ref _queuedTraces);
            Interlocked.Increment(ref _tracesDropped);
            return;
        }

        var bytes = Encoding.UTF8.GetByteCount(text);
        var message = _node.Pool.Rent(bytes);
        message.Type = MessageTypes.ObserverTrace;
        message.Sender = _node.Id;
        Encoding.UTF8.GetBytes(text, message.Payload);
        if (!_outbox.Writer.TryWrite(message))
        {
            // The session is closed (the node is stopping): the trace goes nowhere, and its message back to the pool.
            Interlocked.Decrement(ref _queuedTraces);
            Interlocked.Increment(ref _tracesDropped);
            message.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _outbox.Writer.TryComplete(); // later traces are refused (and released) instead of stranded
        Volatile.Read(ref _connection)?.Abort();
        try
        {
            await _run;
        }
        catch (OperationCanceledException)
        {
        }

        while (_outbox.Reader.TryRead(out var message))
            message.Release();
        _stopping.Dispose();
    }

    async ValueTask IFrameSink.OnMessageAsync(Message message)
    {
        try
        {
            switch (message.Type)
            {
                case MessageTypes.ObserverBootReply:
                    var hosts = BootstrapList.Read(message);
                    await _node.InvokeAsync(() => _node.DeliverBootstrap(hosts));
                    break;
                case MessageTypes.ObserverStatusRequest:
                    var status = await _node.BuildStatusAsync(TracesDropped);
                    Enqueue(MessageTypes.ObserverStatusReport, message.SequenceNumber, JsonSerializer.SerializeToUtf8Bytes(status, ObserverJson.Options));
                    break;
                case MessageTypes.ObserverControl:
                    var ack = await ExecuteAsync(message);
                    Enqueue(MessageTypes.ObserverControlAck, message.SequenceNumber, JsonSerializer.SerializeToUtf8Bytes(ack, ObserverJson.Options));
                    break;
                case MessageTypes.Ping or MessageTypes.Pong or MessageTypes.KeepAlive:
                    break;
                default:
                    throw new WireFormatException(WireError.UnknownType, $"Type {message.Type} does not belong on an observer connection.");
            }
        }
        finally
        {
            message.Release();
        }
    }

    private async Task<ControlAck> ExecuteAsync(Message message)
    {
        try
        {
            var request = JsonSerializer.Deserialize<ControlRequest>(message.Payload, ObserverJson.Options)
                ?? throw new InvalidDataException("Empty command.");
            LogCommand(request.Kind);
            await _node.ExecuteControlAsync(request);
            return new ControlAck(true, null);
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException or ArgumentException or InvalidOperationException or FormatException)
        {
            return new ControlAck(false, ex.Message);
        }
    }

    private void Enqueue(int type, int requestId, byte[] payload)
    {
        var message = _node.Pool.Rent(payload.Length);
        message.Type = type;
        message.Sender = _node.Id;
        message.SequenceNumber = requestId;
        payload.CopyTo(message.Payload);
        if (!_outbox.Writer.TryWrite(message))
            message.Release();
    }

    private async Task RunAsync()
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                var connection = await ConnectAsync();
                backoff = TimeSpan.FromMilliseconds(100);
                Interlocked.Increment(ref _connections);
                Volatile.Write(ref _connection, connection);
                LogConnected(_observer);
                var boot = _node.Pool.Rent(0);
                boot.Type = MessageTypes.ObserverBoot;
                boot.Sender = _node.Id;
                if (!_outbox.Writer.TryWrite(boot))
                {
                    boot.Release();
                    return;
                }

                using var connectionLife = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                var receive = connection.ReceiveAsync(this, connectionLife.Token);
                var send = SendLoopAsync(connection, connectionLife.Token);
                await Task.WhenAny(receive, send);
                await connectionLife.CancelAsync(); // whichever loop ended, the other one ends too
                connection.Abort();
                await Task.WhenAll(receive.ContinueWith(static _ => { }, TaskScheduler.Default), send.ContinueWith(static _ => { }, TaskScheduler.Default));
                Volatile.Write(ref _connection, null);
                await connection.DisposeAsync();
                LogDisconnected(_observer);
            }
            catch (Exception ex) when (ex is SocketException or WireFormatException or IOException or OperationCanceledException or ObjectDisposedException)
            {
                if (_stopping.IsCancellationRequested)
                    return;
                if (ex is WireFormatException wire)
                    LogRefused(_observer, wire.Error, wire.Message);
            }

            try
            {
                await Task.Delay(backoff, _node.TimeProvider, _stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            backoff = backoff * 2 > MaxBackoff ? MaxBackoff : backoff * 2;
        }
    }

    private async Task<TcpConnection> ConnectAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var reader = new FrameReader(_node.Pool, 16 * 1024 * 1024);
        try
        {
            TcpConnection.Configure(socket, null);
            using var deadline = new CancellationTokenSource(_handshakeTimeout, _node.TimeProvider);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, deadline.Token);
            await socket.ConnectAsync(_observer, timeout.Token);
            var remote = await HandshakeExchange.ConnectAsync(socket, reader, new Handshake(_node.Id, _overlayId), _secret, timeout.Token);
            if ((remote.Flags & HandshakeFlags.Observer) == 0)
                throw new WireFormatException(WireError.BadHandshake, "The observer endpoint answered as a node.");
            if (remote.OverlayId != _overlayId)
                throw new WireFormatException(WireError.WrongOverlay);
            return new TcpConnection(socket, remote.ListenEndpoint, reader);
        }
        catch
        {
            reader.Dispose();
            socket.Dispose();
            throw;
        }
    }

    private async Task SendLoopAsync(TcpConnection connection, CancellationToken cancellationToken)
    {
        var batch = new Message[32];
        var reader = _outbox.Reader;
        while (await reader.WaitToReadAsync(cancellationToken))
        {
            var count = 0;
            while (count < batch.Length && reader.TryRead(out var message))
            {
                if (message.Type == MessageTypes.ObserverTrace)
                    Interlocked.Decrement(ref _queuedTraces);
                message.EncodeHeader();
                batch[count++] = message;
            }

            try
            {
                await connection.SendAsync(batch.AsMemory(0, count));
            }
            finally
            {
                for (var i = 0; i < count; i++)
                {
                    batch[i].Release();
                    batch[i] = null!;
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to observer {Observer}")]
    private partial void LogConnected(IPEndPoint observer);

    [LoggerMessage(Level = LogLevel.Information, Message = "Lost observer {Observer}; reconnecting")]
    private partial void LogDisconnected(IPEndPoint observer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Observer {Observer} refused or failed authentication: {Reason} {Detail}")]
    private partial void LogRefused(IPEndPoint observer, WireError reason, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "Observer command {Kind}")]
    private partial void LogCommand(ControlKind kind);
}
