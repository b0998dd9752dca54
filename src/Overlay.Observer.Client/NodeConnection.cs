using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Overlay.Transport;
using Overlay.Wire;

namespace Overlay.Observer.Client;

/// <summary>The observer's side of one node's connection: reads its reports, sends it requests and commands.</summary>
internal sealed class NodeConnection : IFrameSink
{
    private readonly OverlayObserver _observer;
    private readonly IConnection _connection;
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private readonly ConcurrentDictionary<int, TaskCompletionSource<ControlAck>> _pending = new();
    private int _nextRequest;
    private int _statusPending;

    public NodeConnection(OverlayObserver observer, IConnection connection)
    {
        _observer = observer;
        _connection = connection;
    }

    public NodeId Node => _connection.Remote;

    public Task Run { get; private set; } = Task.CompletedTask;

    public void Start() => Run = RunAsync();

    public void Close() => _connection.Abort();

    /// <summary>Asks for status unless an earlier request is still unanswered, so a slow node never piles up requests.</summary>
    public async Task RequestStatusAsync()
    {
        if (Interlocked.Exchange(ref _statusPending, 1) == 1)
            return;
        try
        {
            await SendAsync(MessageTypes.ObserverStatusRequest, 0, []);
        }
        catch (Exception ex) when (ex is TransportException or ObjectDisposedException or InvalidOperationException)
        {
            Volatile.Write(ref _statusPending, 0);
        }
    }

    public async Task<ControlAck> CommandAsync(ControlRequest request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref _nextRequest);
        var answer = new TaskCompletionSource<ControlAck>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        try
        {
            await SendAsync(MessageTypes.ObserverControl, id, JsonSerializer.SerializeToUtf8Bytes(request, ObserverJson.Options));
            return await answer.Task.WaitAsync(timeout, _observer.TimeProvider, cancellationToken);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    public async Task SendBootstrapAsync(IReadOnlyList<NodeId> hosts)
    {
        var payload = new byte[hosts.Count * BootstrapList.EntrySize];
        BootstrapList.Write(hosts, payload);
        await SendAsync(MessageTypes.ObserverBootReply, 0, payload);
    }

    ValueTask IFrameSink.OnMessageAsync(Message message)
    {
        try
        {
            _observer.Touch(Node);
            switch (message.Type)
            {
                case MessageTypes.ObserverBoot:
                    _observer.OnBoot(this);
                    break;
                case MessageTypes.ObserverStatusReport:
                    Volatile.Write(ref _statusPending, 0);
                    _observer.OnStatus(Node, JsonSerializer.Deserialize<NodeStatus>(message.Payload, ObserverJson.Options));
                    break;
                case MessageTypes.ObserverControlAck:
                    var ack = JsonSerializer.Deserialize<ControlAck>(message.Payload, ObserverJson.Options) ?? new ControlAck(false, "empty acknowledgement");
                    if (_pending.TryGetValue(message.SequenceNumber, out var waiter))
                        waiter.TrySetResult(ack);
                    break;
                case MessageTypes.ObserverTrace:
                    _observer.OnTrace(Node, Encoding.UTF8.GetString(message.Payload));
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

        return ValueTask.CompletedTask;
    }

    private async Task SendAsync(int type, int requestId, byte[] payload)
    {
        var message = _observer.Pool.Rent(payload.Length);
        message.Type = type;
        message.Sender = _observer.Id;
        message.SequenceNumber = requestId;
        payload.CopyTo(message.Payload);
        message.EncodeHeader();
        await _sendGate.WaitAsync();
        try
        {
            await _connection.SendAsync(new[] { message });
        }
        finally
        {
            _sendGate.Release();
            message.Release();
        }
    }

    private async Task RunAsync()
    {
        try
        {
            await _connection.ReceiveAsync(this, CancellationToken.None);
        }
        catch (Exception ex) when (ex is WireFormatException or TransportException or ObjectDisposedException or JsonException or IOException or OperationCanceledException)
        {
            // The node is gone or spoke nonsense; either way this connection ends.
        }

        foreach (var waiter in _pending.Values)
            waiter.TrySetException(new ObserverCommandException($"The connection to {Node} closed before it answered."));
        await _connection.DisposeAsync();
        _observer.OnClosed(this);
    }
}
