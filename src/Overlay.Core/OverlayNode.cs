using System.Net;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Overlay.Buffers;
using Overlay.Diagnostics;
using Overlay.Engine;
using Overlay.Runtime;
using Overlay.Transport;
using Overlay.Wire;

namespace Overlay;

/// <summary>
/// One overlay node: a listening endpoint, persistent links to its peers, a message switch, and the
/// <see cref="Algorithm"/> it runs. Many nodes can share one process; they share the thread pool, not threads.
/// </summary>
/// <remarks>
/// The public members are thread-safe. Anything that touches engine state is posted into the node's inbox and
/// runs on the node's loop, the same logical thread as its algorithm.
/// </remarks>
public sealed partial class OverlayNode : IAsyncDisposable
{
    private readonly OverlayNodeOptions _options;
    private readonly Channel<NodeEvent> _inbox = Channel.CreateUnbounded<NodeEvent>(new UnboundedChannelOptions
    {
        SingleReader = true,
        SingleWriter = false,
        AllowSynchronousContinuations = false,
    });

    private readonly LoopGate _gate;
    private readonly LoopYield _yield;
    private readonly ILogger _logger;
    private readonly ILoggerFactory _loggerFactory;
    private readonly long[] _rejected = new long[Enum.GetValues<WireError>().Length];
    private readonly long[] _closedByError = new long[Enum.GetValues<WireError>().Length];
    private ITransport? _transport;
    private ReceiveBudget? _receiveBudget;
    private Task _loop = Task.CompletedTask;
    private int _state; // 0 new, 1 running, 2 stopping or stopped
    private long _messagesLost;
    private long _bytesLost;
    private long _messagesProcessed;
    private NodeMetrics? _metrics;

    /// <summary>Creates a node; call <see cref="StartAsync"/> to bring it up.</summary>
    /// <param name="options">Settings, copied now.</param>
    /// <param name="algorithm">The algorithm this node runs; an instance serves one node.</param>
    public OverlayNode(OverlayNodeOptions options, Algorithm algorithm)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(algorithm);
        _options = options.Copy();
        Runtime = _options.Runtime ?? OverlayRuntime.Default;
        Pool = _options.Pool ?? Runtime.Pool;
        TimeProvider = _options.TimeProvider ?? Runtime.TimeProvider;
        _gate = new LoopGate(Runtime.Scheduler);
        _yield = new LoopYield(Runtime.Scheduler);
        var loggers = _options.LoggerFactory ?? NullLoggerFactory.Instance;
        _loggerFactory = loggers;
        _logger = loggers.CreateLogger<OverlayNode>();
        Algorithm = algorithm;
        InitializeEmulation();
        algorithm.Attach(this, loggers.CreateLogger(algorithm.GetType()));
    }

    /// <summary>
    /// This node's identity (listening IPv4 address and port; on the in-memory transport, the one its network
    /// assigned); known once <see cref="StartAsync"/> returns.
    /// </summary>
    public NodeId Id { get; private set; }

    /// <summary>The algorithm this node runs.</summary>
    public Algorithm Algorithm { get; }

    /// <summary>The world this node runs in: its scheduler, its tickers, the nodes it shares its fate with.</summary>
    public OverlayRuntime Runtime { get; }
    /// <summary>The node's loggers, for the modules of a protocol stack it runs.</summary>
    internal ILoggerFactory LoggerFactory => _loggerFactory;

    /// <summary>The pool this node's messages come from.</summary>
    public MessagePool Pool { get; }

    /// <summary>The clock of this node's timers and measurements.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Messages buffered per link before back pressure applies.</summary>
    public int BufferCapacity => _options.BufferCapacity;

    /// <summary>True between <see cref="StartAsync"/> and <see cref="StopAsync"/>.</summary>
    public bool IsRunning => Volatile.Read(ref _state) == 1;

    /// <summary>
    /// Completes when the node's loop has ended (after a stop). Faulted with the exception when the node failed
    /// itself: an exception escaped its switch (e.g. a source's <see cref="SourceOptions.Fill"/> threw), so it
    /// logged the error and terminated.
    /// </summary>
    public Task Completion => _loop;

    /// <summary>Creates the node's transport (<see cref="OverlayNodeOptions.Transport"/>), starts accepting and starts the node's loop.</summary>
    /// <exception cref="TransportException">The node's address cannot be taken (a TCP endpoint in use, say).</exception>
    /// <exception cref="NotSupportedException">The transport is not a reliable, ordered, flow-controlled stream.</exception>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
            throw new InvalidOperationException("A node starts once.");
        _receiveBudget = new ReceiveBudget(_options.PartialMessageBudget) { TimeProvider = TimeProvider };
        var transport = _options.Transport.Create(new TransportSetup(_options.Copy(), Pool, TimeProvider, _loggerFactory, _receiveBudget))
            ?? throw new InvalidOperationException($"{_options.Transport} created no transport.");

        // The links have no retransmission, reordering or back pressure of their own below their buffers.
        if ((transport.Capabilities & TransportCapabilities.Stream) != TransportCapabilities.Stream)
        {
            Volatile.Write(ref _state, 2);
            _ = transport.DisposeAsync().AsTask(); // never started: nothing to wait for
            throw new NotSupportedException($"A node needs a reliable, ordered, flow-controlled transport; {_options.Transport} offers {transport.Capabilities}.");
        }

        _transport = transport;
        transport.Start(new AcceptedConnections(this));
        Id = transport.LocalId;
        _metrics = new NodeMetrics(this, OverlayMetrics.For(_options.MeterFactory));
        _metrics.Attach();
        LogStarted(Id);
        _loop = RunLoopAsync();
        // A node that failed itself ends its loop without a stop call: its series end with the loop, whatever ended it.
        _loop.ContinueWith(static (_, metrics) => ((NodeMetrics)metrics!).Detach(), _metrics, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        StartObserver();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops gracefully: stops accepting, lets outbound buffers drain for up to
    /// <see cref="OverlayNodeOptions.StopTimeout"/> (a link still connecting gets to connect and drain within it),
    /// closes every link and returns every message to the pool.
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken = default) => ShutdownAsync(abrupt: false, cancellationToken);

    /// <summary>
    /// Terminates the node at once, as a crash would look to its peers but without leaking anything: every link is
    /// closed without draining, every loop ends, every message returns to the pool.
    /// </summary>
    public Task TerminateAsync(CancellationToken cancellationToken = default) => ShutdownAsync(abrupt: true, cancellationToken);

    private async Task ShutdownAsync(bool abrupt, CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _state, 2, 1) != 1)
        {
            // A node that failed itself is stopped too; its fault is reported by Completion, not by every stop call.
            await _loop.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            cancellationToken.ThrowIfCancellationRequested();
            return;
        }

        await StopObserverAsync();
        if (_transport is not null)
        {
            // Nothing new comes in. A graceful stop leaves connects under way alone: a link opened just before the stop
            // still connects and drains, within StopTimeout (whose deadline cancels them); a termination ends them now.
            await _transport.StopAcceptingAsync();
            if (abrupt)
                _transport.CancelConnects();
        }

        Post(new NodeEvent(NodeEventKind.Invoke, (Action)(() => BeginStop(abrupt))));
        await _loop.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (_transport is not null && _loop.IsCompleted)
            await _transport.DisposeAsync();
        _metrics?.Detach();
        cancellationToken.ThrowIfCancellationRequested();
        if (abrupt)
            LogTerminated(Id);
        else
            LogStopped(Id);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _state) == 0)
        {
            Volatile.Write(ref _state, 2);
            return;
        }

        await StopAsync();
    }

    /// <summary>Runs <paramref name="action"/> on the node's loop (alongside the algorithm) and completes when it has run.</summary>
    public Task InvokeAsync(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Action wrapper = () =>
        {
            try
            {
                action();
                done.SetResult();
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        };
        var posted = _inbox.Writer.TryWrite(new NodeEvent(NodeEventKind.Invoke, wrapper));
        Wake();
        if (!posted || Volatile.Read(ref _state) != 1)
            done.TrySetException(new InvalidOperationException("The node is not running."));
        return done.Task;
    }

    /// <summary>Starts a data source for <paramref name="applicationId"/> on this node (as the observer's deploy does).</summary>
    public Task DeploySourceAsync(int applicationId, SourceOptions? options = null)
    {
        var copy = (options ?? new SourceOptions()).Copy();
        return InvokeAsync(() => DeploySourceOnLoop(applicationId, copy));
    }

    /// <summary>Stops the data source of <paramref name="applicationId"/> on this node.</summary>
    public Task TerminateSourceAsync(int applicationId) => InvokeAsync(() => TerminateSourceOnLoop(applicationId));

    /// <summary>A snapshot of the node's links and counters; safe to call from any thread at any time.</summary>
    public NodeStatistics GetStatistics()
    {
        var upstreams = Volatile.Read(ref _upstreamSnapshot);
        var downstreams = Volatile.Read(ref _downstreamSnapshot);
        var up = new List<LinkStatistics>(upstreams.Length);
        foreach (var link in upstreams)
        {
            up.Add(new LinkStatistics(
                link.Peer, LinkDirection.Upstream, link.MessagesReceived, link.BytesReceived, link.Buffered, link.Capacity, true,
                link.Meter.BytesPerSecond, link.Meter.MessagesPerSecond, null, 0));
        }

        var down = new List<LinkStatistics>(downstreams.Length);
        foreach (var link in downstreams)
        {
            down.Add(new LinkStatistics(
                link.Peer, LinkDirection.Downstream, link.MessagesSent, link.BytesSent, link.Buffered, link.Capacity, link.IsConnected,
                link.Meter.BytesPerSecond, link.Meter.MessagesPerSecond, link.RoundTripTime, link.EmulatedLoss));
        }

        return new NodeStatistics(
            Id,
            up,
            down,
            Interlocked.Read(ref _messagesLost),
            Interlocked.Read(ref _bytesLost),
            Interlocked.Read(ref _messagesProcessed),
            CountersByReason(_rejected),
            CountersByReason(_closedByError))
        {
            Connections = ConnectionCounters(),
        };
    }

    /// <inheritdoc />
    public override string ToString() => $"OverlayNode {Id}";

    private void OnRejected(EndPoint? remote, WireError reason, Exception? exception)
    {
        Interlocked.Increment(ref _rejected[(int)reason]);
        LogRejected(remote?.ToString() ?? "?", reason, exception?.Message ?? string.Empty);
    }

    internal void Post(NodeEvent item)
    {
        _inbox.Writer.TryWrite(item);
        Wake();
    }

    /// <summary>Counts a message released unsent because its link failed or closed.</summary>
    internal void CountLost(Message message)
    {
        Interlocked.Increment(ref _messagesLost);
        Interlocked.Add(ref _bytesLost, message.FrameLength);
    }

    /// <summary>This node's part of the <c>Overlay</c> meter; set once the node has started.</summary>
    internal NodeMetrics? Metrics => _metrics;

    internal long MessagesProcessedCount => Interlocked.Read(ref _messagesProcessed);

    internal long MessagesLostCount => Interlocked.Read(ref _messagesLost);

    internal long BytesLostCount => Interlocked.Read(ref _bytesLost);

    internal long RejectedCount(WireError reason) => Interlocked.Read(ref _rejected[(int)reason]);

    private ConnectionStatistics ConnectionCounters()
    {
        var transport = Volatile.Read(ref _transport);
        var budget = Volatile.Read(ref _receiveBudget);
        if (transport is null || budget is null)
            return ConnectionStatistics.Empty;
        return new ConnectionStatistics(
            transport.ConnectionsAccepted, transport.ConnectionsInHandshake, transport.AcceptBackOffs, budget.StagingBytes, budget.PartialMessageBytes);
    }

    private static Dictionary<WireError, long> CountersByReason(long[] counters)
    {
        var result = new Dictionary<WireError, long>();
        for (var i = 1; i < counters.Length; i++)
        {
            var value = Interlocked.Read(ref counters[i]);
            if (value != 0)
                result[(WireError)i] = value;
        }

        return result;
    }

    [LoggerMessage(EventId = 1001, EventName = "NodeStarted", Level = LogLevel.Information, Message = "Node {Node} listening")]
    private partial void LogStarted(NodeId node);

    [LoggerMessage(EventId = 1002, EventName = "NodeStopped", Level = LogLevel.Information, Message = "Node {Node} stopped")]
    private partial void LogStopped(NodeId node);

    [LoggerMessage(EventId = 1003, EventName = "NodeTerminated", Level = LogLevel.Information, Message = "Node {Node} terminated")]
    private partial void LogTerminated(NodeId node);

    [LoggerMessage(EventId = 3001, EventName = "ConnectionRefused", Level = LogLevel.Warning, Message = "Refused connection from {Remote}: {Reason} {Detail}")]
    private partial void LogRejected(string remote, WireError reason, string detail);

    // What the transport tells the node; a separate object so the handler is no part of the node's public surface.
    private sealed class AcceptedConnections(OverlayNode node) : IConnectionHandler
    {
        public void OnAccepted(IConnection connection) => node.Post(new NodeEvent(NodeEventKind.Accepted, connection));

        public void OnRejected(EndPoint? remote, WireError reason, Exception? exception) => node.OnRejected(remote, reason, exception);
    }
}
