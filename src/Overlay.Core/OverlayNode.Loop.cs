using Microsoft.Extensions.Logging;
using Overlay.Engine;

namespace Overlay;

// The node's loop: one logical thread that owns every piece of engine state and runs the algorithm. It is the loop
// task below, or — while that task is parked — a link's I/O loop that borrowed it to run the switch (LoopGate).
public sealed partial class OverlayNode
{
    // A busy loop gives its thread back to the pool after this many messages, so virtual nodes share fairly.
    // An I/O loop that runs the switch inline hands the rest to the loop task after as many.
    private const int MessagesPerYield = 256;

    // How long a measurement waits for the peer's report before it is given up.
    private static readonly TimeSpan MeasurementTimeout = TimeSpan.FromSeconds(10);

    // How often the round-trip time of an idle link is measured again (see RequestDuePings).
    private static readonly TimeSpan IdleRoundTripRefresh = TimeSpan.FromSeconds(60);

    // How long a source whose last message nobody took waits before producing again.
    private static readonly TimeSpan IdleSourceBackoff = TimeSpan.FromMilliseconds(20);

    [ThreadStatic]
    private static OverlayNode? t_loopOwner;

    private readonly List<InputPort> _inputs = [];
    private readonly Dictionary<int, ApplicationSource> _sources = [];
    private readonly List<Message> _createdInCallback = [];
    private readonly List<AlgorithmTimer> _timers = [];
    private readonly LoopbackInput _loopback = new();
    private readonly List<DownstreamLink> _blockedLinks = [];

    // Links a TrySend or CanSend found full: each gets one Writable notification once it has room again.
    private readonly List<DownstreamLink> _writableWatch = [];
    private readonly Dictionary<int, (NodeId Peer, ITimer Timeout)> _measurements = [];
    private InputPort? _currentInput;
    private int _inputsVersion;
    private int _roundRobin;
    private int _sendsInCallback;
    private long _inlineRuns;
    private long _loopWakeUps;
    private bool _stopping;
    private ITimer? _sourceResumeTimer;

    // The first exception that escaped the switch or an event handler: the node failed (see FailSwitch).
    private Exception? _fault;

    // True when the failure, not a stop call, ended the running state: the loop then closes transport and observer.
    private bool _failedWhileRunning;

    // Set by an I/O loop whose inline run of the switch threw; the loop task picks it up (see RunSwitchInline).
    private Exception? _borrowerFault;
    private IDisposable? _measureTicks;
    private int _lastTrainId;

    /// <summary>How often an I/O loop ran the switch inline (see <see cref="RunSwitchInline"/>).</summary>
    internal long InlineSwitchRuns => Volatile.Read(ref _inlineRuns);

    /// <summary>True while an I/O loop runs the switch inline (for tests).</summary>
    internal bool IsLoopBorrowed => _gate.IsBorrowed;

    /// <summary>How often the loop task woke up after parking (an idle node must not be woken).</summary>
    internal long LoopWakeUps => Volatile.Read(ref _loopWakeUps);

    /// <summary>The switch's round-robin counter (loop only); set near its maximum to check that it may wrap.</summary>
    internal int RoundRobinCounter
    {
        get => _roundRobin;
        set
        {
            EnsureOnLoop();
            _roundRobin = value;
        }
    }

    /// <summary>Wakes the loop if it sleeps; called by I/O loops after they change a buffer.</summary>
    internal void Wake() => _gate.Wake();

    /// <summary>
    /// Called by an I/O loop after it changed a buffer (filled an inbound one, emptied an outbound one): when the
    /// node's loop task sleeps, runs the switch right here on the calling thread instead of waking it — the
    /// switch still runs on one logical thread at a time (<see cref="LoopGate"/>), but a message no longer waits
    /// for two thread-pool hand-offs per hop. Otherwise it only wakes the loop.
    /// </summary>
    /// <param name="budget">How many messages the caller lets the switch move before the loop task takes over the rest.</param>
    internal void RunSwitchInline(int budget = MessagesPerYield)
    {
        if (!Runtime.Scheduler.AllowsInlineSwitching || !_gate.TryBorrow())
        {
            _gate.Wake();
            return;
        }

        Volatile.Write(ref _inlineRuns, _inlineRuns + 1);
        try
        {
            var moved = 0;
            while (true)
            {
                var round = _stopping ? 0 : SwitchRound();
                moved += round;
                if (round > 0 && moved < budget)
                    continue;

                // Events (invokes, timers, link changes) and long runs belong to the loop task.
                if (round > 0 || _inbox.Reader.TryPeek(out _))
                {
                    _gate.HandOver();
                    return;
                }

                if (_gate.TryReturn())
                    return;
            }
        }
        catch (Exception ex)
        {
            // The failure is the node's, not the link's whose thread happened to run the switch: the loop task fails
            // the node exactly as if the switch had thrown there, and this link goes on as if nothing happened.
            Interlocked.CompareExchange(ref _borrowerFault, ex, null);
            _gate.HandOver();
        }
    }

    internal void SendFromLoop(Message message, NodeId destination)
    {
        ArgumentNullException.ThrowIfNull(message);
        EnsureOnLoop();
        if (_stopping)
            return;
        _sendsInCallback++;
        if (destination == Id)
        {
            message.Retain();
            _loopback.Enqueue(message);
            return;
        }

        var link = GetOrOpenDownstream(destination);
        message.EncodeHeader();
        if (link.Waiting.Count == 0 && link.TryEnqueue(message))
            return;
        message.Retain();
        if (link.Waiting.Count == 0)
            _blockedLinks.Add(link);
        link.Waiting.Enqueue(new PendingSend(message, _currentInput));
        if (_currentInput is not null)
            _currentInput.PendingSends++;
    }

    /// <summary>
    /// Queues <paramref name="message"/> for <paramref name="destination"/> only if its link has room now (no send
    /// waiting, buffer not full); otherwise takes no reference, leaves the input unstalled, and watches the link so the
    /// algorithm hears <see cref="MessageTypes.Writable"/> once it has room again. A peer without a link gets one, as
    /// with <see cref="SendFromLoop"/>: its buffer takes messages while it connects.
    /// </summary>
    internal bool TrySendFromLoop(Message message, NodeId destination)
    {
        ArgumentNullException.ThrowIfNull(message);
        EnsureOnLoop();
        if (_stopping)
            return false;
        if (destination == Id)
        {
            _sendsInCallback++;
            message.Retain();
            _loopback.Enqueue(message);
            return true;
        }

        var link = GetOrOpenDownstream(destination);
        if (link.HasRoom)
        {
            message.EncodeHeader();
            if (link.TryEnqueue(message))
            {
                _sendsInCallback++;
                return true;
            }
        }

        WatchWritable(link);
        return false;
    }

    /// <summary>
    /// True when a send to <paramref name="destination"/> would go into its buffer now (a peer without a link: a new
    /// link's buffer is empty). False watches the link, as a refused <see cref="TrySendFromLoop"/> does.
    /// </summary>
    internal bool CanSendFromLoop(NodeId destination)
    {
        EnsureOnLoop();
        if (_stopping)
            return false;
        if (destination == Id || !_downstreams.TryGetValue(destination, out var link) || link.HasRoom)
            return true;
        WatchWritable(link);
        return false;
    }

    private void WatchWritable(DownstreamLink link)
    {
        if (link.WritableWanted)
            return;
        link.WritableWanted = true;
        _writableWatch.Add(link);
    }

    internal Message CreateMessageOnLoop(int type, int applicationId, int payloadLength)
    {
        EnsureOnLoop();
        var message = Pool.Rent(payloadLength);
        message.Type = type;
        message.ApplicationId = applicationId;
        message.Sender = Id;
        message.From = Id;
        _createdInCallback.Add(message);
        return message;
    }

    internal IDisposable ScheduleOnLoop(TimeSpan dueTime, TimeSpan period, Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        EnsureOnLoop();
        var timer = new AlgorithmTimer(this, callback);
        _timers.RemoveAll(static t => !t.IsActive);
        _timers.Add(timer);
        timer.Start(dueTime, period);
        return timer;
    }

    internal void DeploySourceOnLoop(int applicationId, SourceOptions options)
    {
        EnsureOnLoop();
        ArgumentOutOfRangeException.ThrowIfNegative(options.PayloadLength);
        if (_stopping || _sources.ContainsKey(applicationId))
            return;
        var source = new ApplicationSource(this, applicationId, options.Copy());
        _sources.Add(applicationId, source);
        AddInput(source);
        LogSourceDeployed(applicationId);
    }

    internal void TerminateSourceOnLoop(int applicationId)
    {
        EnsureOnLoop();
        if (_sources.Remove(applicationId, out var source))
            RemoveSource(source, MessageTypes.BrokenSource);
    }

    internal void MeasurePeerOnLoop(NodeId peer)
    {
        EnsureOnLoop();
        if (_stopping)
            return;
        var trainId = ++_lastTrainId;
        var timeout = TimeProvider.CreateTimer(
            static state =>
            {
                var (node, id) = ((OverlayNode, int))state!;
                node.Post(new NodeEvent(NodeEventKind.MeasurementTimedOut, id));
            },
            (this, trainId),
            MeasurementTimeout,
            Timeout.InfiniteTimeSpan);
        _measurements.Add(trainId, (peer, timeout));
        GetOrOpenDownstream(peer).RequestProbe(trainId);
    }

    private void EnsureOnLoop()
    {
        if (t_loopOwner != this)
            throw new InvalidOperationException("Algorithm APIs run on the node's loop: call them from Process, a timer, OnStart or InvokeAsync.");
    }

    private async Task RunLoopAsync()
    {
        // Leave StartAsync's caller at once (through the world's scheduler); from here on this method is the node's
        // logical thread (lent to I/O loops only while parked).
        await _yield.Leave();
        var reader = _inbox.Reader;
        AddInput(_loopback);
        _measureTicks = Runtime.Tickers.Subscribe(TimeProvider, _options.MeasurementInterval, static state => ((OverlayNode)state).OnMeasureTick(), this);
        StartLiveness();
        RunCallback(static (node, _) => node.Algorithm.RunStart(), null);
        var sinceYield = 0;
        while (true)
        {
            try
            {
                if (Volatile.Read(ref _borrowerFault) is { } borrowed && _fault is null)
                    FailSwitch(borrowed);
                while (reader.TryRead(out var item))
                    Handle(item);
                if (_stopping && _upstreams.Count == 0 && _downstreams.Count == 0)
                    break;

                var served = _stopping ? 0 : SwitchRound();
                if (served > 0)
                {
                    sinceYield += served;
                    if (sinceYield >= MessagesPerYield)
                    {
                        sinceYield = 0;
                        await _yield.GiveWay();
                    }

                    continue;
                }

                // Announce sleep, then look once more: a producer either sees the announcement and wakes the loop,
                // or its item is already visible to this second round.
                _gate.BeginCheck();
                if ((!_stopping && SwitchRound() > 0) || reader.TryPeek(out _))
                {
                    _gate.KeepRunning();
                    continue;
                }

                if (!_gate.TryPark())
                    continue;
                sinceYield = 0;

                // While parked, I/O loops may borrow the loop to run the switch; it comes back with this signal.
                await _gate.WaitUntilHandedBackAsync();
                Volatile.Write(ref _loopWakeUps, _loopWakeUps + 1); // only the loop task writes it
            }
            catch (Exception ex)
            {
                // The loop task holds the loop here (an inline run hands it back before its fault is seen).
                _gate.KeepRunning();
                if (_fault is null)
                    FailSwitch(ex);
                else
                    LogFailedAgain(ex);
            }
        }

        FinishStop();
        if (_fault is { } fault)
        {
            // Nothing may accept or report for a failed node any more (a stop call already under way does this
            // itself); then its completion carries the fault.
            if (_failedWhileRunning)
            {
                await StopObserverAsync();
                if (_transport is not null)
                    await _transport.DisposeAsync();
            }

            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(fault);
        }
    }

    /// <summary>
    /// An exception escaped the switch (or an event handler) — from the algorithm's source fill, or an engine defect:
    /// the node's state can no longer be trusted, so the node fails itself, whichever thread ran the switch. It logs
    /// the error, terminates as <see cref="TerminateAsync"/> does (every link closed, every message back in the pool),
    /// and <see cref="Completion"/> ends faulted with the exception. Loop task only.
    /// </summary>
    private void FailSwitch(Exception exception)
    {
        _fault = exception;
        _failedWhileRunning = Interlocked.CompareExchange(ref _state, 2, 1) == 1;
        LogSwitchFailed(exception, Id);
        BeginStop(abrupt: true);
    }

    private void Handle(NodeEvent item)
    {
        switch (item.Kind)
        {
            case NodeEventKind.Invoke:
                RunCallback(static (node, state) => ((Action)state!)(), item.Subject);
                break;
            case NodeEventKind.Accepted:
                OnLinkAccepted((Transport.IConnection)item.Subject!);
                break;
            case NodeEventKind.UpstreamClosed:
                OnUpstreamClosed((UpstreamLink)item.Subject!);
                break;
            case NodeEventKind.DownstreamClosed:
                OnDownstreamClosed((DownstreamLink)item.Subject!);
                break;
            case NodeEventKind.TimerFired:
                var timer = (AlgorithmTimer)item.Subject!;
                if (!_stopping && timer.IsActive)
                    RunCallback(static (node, state) => ((AlgorithmTimer)state!).Invoke(), timer);
                break;
            case NodeEventKind.Measure:
                if (!_stopping)
                    Measure();
                break;
            case NodeEventKind.ProbeReported:
                var outcome = (ProbeOutcome)item.Subject!;
                FinishMeasurement(outcome.TrainId, outcome.BytesPerSecond);
                break;
            case NodeEventKind.MeasurementTimedOut:
                FinishMeasurement((int)item.Subject!, null);
                break;
            case NodeEventKind.StopDeadline:
                // A link still connecting has no connection to abort yet: ending its connect ends it too.
                _transport?.CancelConnects();
                foreach (var link in _downstreams.Values)
                    link.Close();
                break;
        }
    }

    /// <summary>One round: move waiting sends into buffers that have room, then weighted round-robin over the inputs.</summary>
    /// <returns>How many messages moved.</returns>
    private int SwitchRound()
    {
        var moved = _blockedLinks.Count > 0 ? MoveWaitingSends() : 0;
        if (_writableWatch.Count > 0)
            moved += RaiseWritable();
        var count = _inputs.Count;
        var version = _inputsVersion;
        // Unsigned, so the counter may wrap after billions of rounds without a negative index.
        var start = (int)((uint)_roundRobin++ % (uint)count);
        for (var i = 0; i < count; i++)
        {
            var input = _inputs[(start + i) % count];
            for (var served = 0; served < input.Weight; served++)
            {
                if (input.IsStalled || !input.TryTake(out var message))
                    break;
                moved++;
                Dispatch(message, input);
                if (!input.IsStalled)
                    input.OnDispatched();
                if (version != _inputsVersion)
                    return moved; // a callback added or removed an input; start afresh next round
            }
        }

        return moved;
    }

    /// <summary>Moves waiting sends, oldest first, into outbound buffers that have room again.</summary>
    private int MoveWaitingSends()
    {
        var moved = 0;
        for (var i = _blockedLinks.Count - 1; i >= 0; i--)
        {
            var link = _blockedLinks[i];
            while (link.Waiting.TryPeek(out var pending) && link.TryEnqueue(pending.Message))
            {
                link.Waiting.Dequeue();
                pending.Message.Release();
                moved++;
                SettlePendingSend(pending.Input);
            }

            if (link.Waiting.Count == 0)
            {
                _blockedLinks[i] = _blockedLinks[^1];
                _blockedLinks.RemoveAt(_blockedLinks.Count - 1);
            }
        }

        return moved;
    }

    /// <summary>
    /// Tells the algorithm about each watched link that has room again (after the waiting sends moved, so those keep
    /// their place), once per full → room transition. The switch runs whenever a send loop empties buffer slots, so
    /// this needs no timer: it is the same wake-up that moves waiting sends.
    /// </summary>
    private int RaiseWritable()
    {
        var raised = 0;
        for (var i = _writableWatch.Count - 1; i >= 0; i--)
        {
            // A handler may watch more links (appended, seen next round) or stop the node (the list cleared).
            if (i >= _writableWatch.Count)
                continue;
            var link = _writableWatch[i];
            if (!link.HasRoom)
                continue;
            _writableWatch[i] = _writableWatch[^1];
            _writableWatch.RemoveAt(_writableWatch.Count - 1);
            link.WritableWanted = false;
            raised++;
            Notify(MessageTypes.Writable, link.Peer);
        }

        return raised;
    }

    /// <summary>One waiting send of <paramref name="input"/> left (sent or dropped); the last one unstalls it.</summary>
    private static void SettlePendingSend(InputPort? input)
    {
        if (input is not null && --input.PendingSends == 0)
            input.OnDispatched();
    }

    private void Dispatch(Message message, InputPort input)
    {
        _sendsInCallback = 0;
        Volatile.Write(ref _messagesProcessed, _messagesProcessed + 1); // one writer: whoever holds the loop
        var disposition = RunProcess(message, input);
        if (disposition != Disposition.Hold)
            message.Release();
        if (input is ApplicationSource source && _sendsInCallback == 0)
            PauseSource(source);
    }

    // Callbacks can nest (a notification raised inside Process, e.g. TerminateSource → BrokenSource): each level
    // restores the input it interrupted and releases only the messages it created itself.
    private Disposition RunProcess(Message message, InputPort? input)
    {
        var previousOwner = t_loopOwner;
        var previousInput = _currentInput;
        var createdMark = _createdInCallback.Count;
        t_loopOwner = this;
        _currentInput = input;
        try
        {
            return Algorithm.Process(message);
        }
        catch (Exception ex)
        {
            LogAlgorithmFailed(ex, message.Type);
            return Disposition.Consumed;
        }
        finally
        {
            _currentInput = previousInput;
            t_loopOwner = previousOwner;
            ReleaseCreated(createdMark);
        }
    }

    private void RunCallback(Action<OverlayNode, object?> callback, object? state)
    {
        var previousOwner = t_loopOwner;
        var createdMark = _createdInCallback.Count;
        t_loopOwner = this;
        try
        {
            callback(this, state);
        }
        catch (Exception ex)
        {
            LogAlgorithmFailed(ex, 0);
        }
        finally
        {
            t_loopOwner = previousOwner;
            ReleaseCreated(createdMark);
        }
    }

    private void ReleaseCreated(int from)
    {
        var count = _createdInCallback.Count - from;
        if (count <= 0)
            return;
        for (var i = from; i < _createdInCallback.Count; i++)
            _createdInCallback[i].Release();
        _createdInCallback.RemoveRange(from, count);
    }

    /// <summary>Gives the algorithm an engine notification about <paramref name="peer"/>.</summary>
    private void Notify(int type, NodeId peer, int applicationId = 0, int sequenceNumber = 0, byte[]? payload = null)
    {
        if (_stopping)
            return;
        var message = Pool.Rent(payload?.Length ?? 0);
        payload?.CopyTo(message.Payload);
        message.Type = type;
        message.Sender = peer;
        message.From = Id;
        message.ApplicationId = applicationId;
        message.SequenceNumber = sequenceNumber;
        var disposition = RunProcess(message, null);
        if (disposition != Disposition.Hold)
            message.Release();
    }

    private void AddInput(InputPort input)
    {
        _inputs.Add(input);
        _inputsVersion++;
    }

    // Sends an input already made stay queued on their links: those messages were produced and go out.
    private void RemoveInput(InputPort input)
    {
        _inputs.Remove(input);
        _inputsVersion++;
    }

    private void PauseSource(ApplicationSource source)
    {
        source.PauseUntil(TimeProvider.GetTimestamp() + (long)(IdleSourceBackoff.TotalSeconds * TimeProvider.TimestampFrequency));
        WakeAfter(IdleSourceBackoff);
    }

    /// <summary>Makes sure the loop runs again after <paramref name="delay"/> even if nothing else happens.</summary>
    internal void WakeAfter(TimeSpan delay)
    {
        _sourceResumeTimer ??= TimeProvider.CreateTimer(static state => ((OverlayNode)state!).Wake(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _sourceResumeTimer.Change(delay + TimeSpan.FromMilliseconds(1), Timeout.InfiniteTimeSpan);
    }

    /// <summary>A source produced its last message and every send of it was accepted.</summary>
    internal void OnSourceFinished(ApplicationSource source)
    {
        if (_sources.Remove(source.ApplicationId))
            RemoveSource(source, MessageTypes.SourceCompleted);
    }

    /// <param name="source">The source to retire.</param>
    /// <param name="notification">
    /// <see cref="MessageTypes.SourceCompleted"/> when it produced its last message, <see cref="MessageTypes.BrokenSource"/>
    /// when it was cut short.
    /// </param>
    private void RemoveSource(ApplicationSource source, int notification)
    {
        RemoveInput(source);
        LogSourceEnded(source.ApplicationId, source.Produced);
        Notify(notification, Id, source.ApplicationId);
    }

    // Timer thread. The loop is woken only when there is something to sample or report: a node whose links are
    // all idle, and were reported idle, costs no wake-up.
    private void OnMeasureTick()
    {
        var upstreams = Volatile.Read(ref _upstreamSnapshot);
        var downstreams = Volatile.Read(ref _downstreamSnapshot);
        foreach (var link in upstreams)
        {
            if (!link.Meter.IsSettled(link.BytesReceived, link.MessagesReceived))
            {
                Post(new NodeEvent(NodeEventKind.Measure));
                return;
            }
        }

        foreach (var link in downstreams)
        {
            if (!link.Meter.IsSettled(link.BytesSent, link.MessagesSent))
            {
                Post(new NodeEvent(NodeEventKind.Measure));
                return;
            }
        }

        RequestDuePings(downstreams, TimeProvider.GetTimestamp());
    }

    /// <summary>
    /// Samples every link's meter, probes round-trip times that are due, and tells the algorithm
    /// (UpThroughput/DownThroughput) about every link whose rate is not zero, and once when it falls to zero.
    /// </summary>
    private void Measure()
    {
        // One snapshot of each set for sampling and reporting alike: a report's handler may open or close links.
        var upstreams = _upstreamSnapshot;
        var downstreams = _downstreamSnapshot;
        var now = TimeProvider.GetTimestamp();
        foreach (var link in upstreams)
            link.Meter.Sample(link.BytesReceived, link.MessagesReceived, now, TimeProvider, _options.MeasurementInterval);
        foreach (var link in downstreams)
            link.Meter.Sample(link.BytesSent, link.MessagesSent, now, TimeProvider, _options.MeasurementInterval);
        RequestDuePings(downstreams, now);

        foreach (var link in upstreams)
        {
            if (link.Meter.TakeReport())
                Report(MessageTypes.UpThroughput, link.Peer, new ThroughputReport(link.Meter.BytesPerSecond, link.Meter.MessagesPerSecond, null));
        }

        foreach (var link in downstreams)
        {
            if (link.Meter.TakeReport())
                Report(MessageTypes.DownThroughput, link.Peer, new ThroughputReport(link.Meter.BytesPerSecond, link.Meter.MessagesPerSecond, link.RoundTripTime));
        }
    }

    // A link's round-trip time is probed every interval while it carries data (queues change it), at once while
    // unknown, and otherwise every IdleRoundTripRefresh: an idle path's round trip does not change by itself, and
    // keep-alive pings to peers in other processes refresh it anyway. No second ping follows a recent one.
    // Thread-safe: runs on the loop or on the measurement timer.
    private void RequestDuePings(DownstreamLink[] downstreams, long now)
    {
        var recent = _options.MeasurementInterval / 2;
        foreach (var link in downstreams)
        {
            if (!link.IsConnected)
                continue;
            var age = TimeProvider.GetElapsedTime(link.LastPing, now);
            if (age < recent)
                continue;
            if (link.RoundTripTime is null || link.Meter.BytesPerSecond > 0 || age >= IdleRoundTripRefresh)
                link.RequestPing();
        }
    }

    private void FailMeasurementsOf(NodeId peer)
    {
        if (_measurements.Count == 0)
            return;
        foreach (var (trainId, measurement) in _measurements.ToArray())
        {
            if (measurement.Peer == peer)
                FinishMeasurement(trainId, null);
        }
    }

    private void FinishMeasurement(int trainId, double? bytesPerSecond)
    {
        if (!_measurements.Remove(trainId, out var measurement))
            return;
        measurement.Timeout.Dispose();
        var rtt = _downstreams.TryGetValue(measurement.Peer, out var link) ? link.RoundTripTime : null;
        var message = Pool.Rent(MeasurementResult.Size);
        message.Type = MessageTypes.MeasurementResult;
        message.Sender = measurement.Peer;
        message.From = Id;
        new MeasurementResult(bytesPerSecond, rtt).Write(message.Payload);
        var disposition = RunProcess(message, null);
        if (disposition != Disposition.Hold)
            message.Release();
    }

    private void Report(int type, NodeId peer, ThroughputReport report)
    {
        var message = Pool.Rent(ThroughputReport.Size);
        message.Type = type;
        message.Sender = peer;
        message.From = Id;
        report.Write(message.Payload);
        var disposition = RunProcess(message, null);
        if (disposition != Disposition.Hold)
            message.Release();
    }

    /// <summary>Closes both links with <paramref name="peer"/> at once; the peer sees them fail.</summary>
    internal void DisconnectOnLoop(NodeId peer)
    {
        EnsureOnLoop();
        if (_downstreams.TryGetValue(peer, out var downstream))
            downstream.Close();
        if (_upstreams.TryGetValue(peer, out var upstream))
            upstream.Close();
    }

    private void BeginStop(bool abrupt)
    {
        if (_stopping)
            return;
        StopLiveness();
        RunCallback(static (node, _) => node.Algorithm.RunStop(), null);
        _stopping = true;
        foreach (var timer in _timers.ToArray())
            timer.Dispose();
        _sourceResumeTimer?.Dispose();
        _measureTicks?.Dispose();
        foreach (var measurement in _measurements.Values)
            measurement.Timeout.Dispose();
        _measurements.Clear();
        foreach (var input in _inputs.ToArray())
        {
            if (input is not UpstreamLink)
                RemoveInput(input);
        }

        _sources.Clear();
        _loopback.ReleaseAll();
        foreach (var link in _upstreams.Values)
        {
            RemoveInput(link);
            link.Close();
        }

        foreach (var link in _downstreams.Values)
        {
            DropWaiting(link);
            if (abrupt)
                link.Close();
            else
                link.Complete();
        }

        _blockedLinks.Clear();
        _writableWatch.Clear();
        var deadline = TimeProvider.CreateTimer(
            static state => ((OverlayNode)state!).Post(new NodeEvent(NodeEventKind.StopDeadline)),
            this,
            _options.StopTimeout,
            Timeout.InfiniteTimeSpan);
        _stopDeadline = deadline;
    }

    private void FinishStop()
    {
        _stopDeadline?.Dispose();
        _loopback.ReleaseAll();
        UpdateSnapshots();
    }

    [LoggerMessage(EventId = 1010, EventName = "AlgorithmFailed", Level = LogLevel.Error, Message = "The algorithm threw while handling a message of type {Type}; the message counts as consumed")]
    private partial void LogAlgorithmFailed(Exception exception, int type);

    [LoggerMessage(EventId = 1004, EventName = "NodeFailed", Level = LogLevel.Critical, Message = "Node {Node} failed: an exception escaped its switch; terminating the node")]
    private partial void LogSwitchFailed(Exception exception, NodeId node);

    [LoggerMessage(EventId = 1005, EventName = "NodeFailedAgain", Level = LogLevel.Error, Message = "A failed node's loop threw again while it terminated")]
    private partial void LogFailedAgain(Exception exception);

    [LoggerMessage(EventId = 1020, EventName = "SourceDeployed", Level = LogLevel.Information, Message = "Source of application {Application} deployed")]
    private partial void LogSourceDeployed(int application);

    [LoggerMessage(EventId = 1021, EventName = "SourceEnded", Level = LogLevel.Information, Message = "Source of application {Application} ended after {Messages} messages")]
    private partial void LogSourceEnded(int application, long messages);
}
