using Microsoft.Extensions.Logging;
using Overlay.Engine;

namespace Overlay;

// The node's loop: one logical thread that owns every piece of engine state and runs the algorithm.
public sealed partial class OverlayNode
{
    // A busy loop gives its thread back to the pool after this many messages, so virtual nodes share fairly.
    private const int MessagesPerYield = 256;

    // How long a source whose last message nobody took waits before producing again.
    private static readonly TimeSpan IdleSourceBackoff = TimeSpan.FromMilliseconds(20);

    [ThreadStatic]
    private static OverlayNode? t_loopOwner;

    private readonly List<InputPort> _inputs = [];
    private readonly Dictionary<int, ApplicationSource> _sources = [];
    private readonly List<Message> _createdInCallback = [];
    private readonly List<AlgorithmTimer> _timers = [];
    private readonly LoopbackInput _loopback = new();
    private InputPort? _currentInput;
    private int _inputsVersion;
    private int _roundRobin;
    private int _sendsInCallback;
    private int _idle;
    private bool _stopping;
    private ITimer? _sourceResumeTimer;

    /// <summary>Wakes the loop if it sleeps; called by I/O loops after they change a buffer.</summary>
    internal void Wake()
    {
        if (Interlocked.Exchange(ref _idle, 0) == 1)
            _inbox.Writer.TryWrite(new NodeEvent(NodeEventKind.Wake));
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
        var input = _currentInput;
        if (input is not null && HasPendingFor(input, link))
        {
            // Keep order: an earlier message of this input still waits for the same link.
            message.Retain();
            input.Pending.Add(new PendingSend(message, link));
            return;
        }

        if (link.TryEnqueue(message))
            return;
        if (input is not null)
        {
            message.Retain();
            input.Pending.Add(new PendingSend(message, link));
        }
        else
        {
            link.EnqueueControl(message);
        }
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
            RemoveSource(source);
    }

    internal void SetUpstreamWeightOnLoop(NodeId upstream, int weight)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(weight, 1);
        EnsureOnLoop();
        if (_upstreams.TryGetValue(upstream, out var link))
            link.Weight = weight;
    }

    private void EnsureOnLoop()
    {
        if (t_loopOwner != this)
            throw new InvalidOperationException("Algorithm APIs run on the node's loop: call them from Process, a timer, OnStart or InvokeAsync.");
    }

    private async Task RunLoopAsync()
    {
        // Leave StartAsync's caller at once; from here on this method is the node's logical thread.
        await Task.Yield();
        var reader = _inbox.Reader;
        AddInput(_loopback);
        RunCallback(static (node, _) => node.Algorithm.OnStart(), null);
        var sinceYield = 0;
        while (true)
        {
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
                    await Task.Yield();
                }

                continue;
            }

            // Announce sleep, then look once more: a producer either sees _idle == 1 and posts a wake-up,
            // or its item is already visible to this second round.
            Interlocked.Exchange(ref _idle, 1);
            if ((!_stopping && SwitchRound() > 0) || reader.TryPeek(out _))
            {
                Volatile.Write(ref _idle, 0);
                continue;
            }

            sinceYield = 0;
            await reader.WaitToReadAsync();
            Volatile.Write(ref _idle, 0);
        }

        FinishStop();
    }

    private void Handle(NodeEvent item)
    {
        switch (item.Kind)
        {
            case NodeEventKind.Wake:
                break;
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
            case NodeEventKind.StopDeadline:
                foreach (var link in _downstreams.Values)
                    link.Close();
                break;
        }
    }

    /// <summary>One round of weighted round-robin over the inputs.</summary>
    /// <returns>How many messages moved (taken or unstalled).</returns>
    private int SwitchRound()
    {
        var moved = 0;
        var count = _inputs.Count;
        var version = _inputsVersion;
        var start = _roundRobin++ % count;
        for (var i = 0; i < count; i++)
        {
            var input = _inputs[(start + i) % count];
            for (var served = 0; served < input.Weight; served++)
            {
                if (input.IsStalled)
                {
                    if (!RetryPending(input))
                        break;
                    input.OnDispatched();
                    moved++;
                    if (version != _inputsVersion)
                        return moved;
                    continue;
                }

                if (!input.TryTake(out var message))
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

    private void Dispatch(Message message, InputPort input)
    {
        _sendsInCallback = 0;
        Interlocked.Increment(ref _messagesProcessed);
        var disposition = RunProcess(message, input);
        if (disposition != Disposition.Hold)
            message.Release();
        if (input is ApplicationSource source && _sendsInCallback == 0)
            PauseSource(source);
    }

    private Disposition RunProcess(Message message, InputPort? input)
    {
        var previousOwner = t_loopOwner;
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
            _currentInput = null;
            t_loopOwner = previousOwner;
            ReleaseCreated();
        }
    }

    private void RunCallback(Action<OverlayNode, object?> callback, object? state)
    {
        var previousOwner = t_loopOwner;
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
            ReleaseCreated();
        }
    }

    private void ReleaseCreated()
    {
        if (_createdInCallback.Count == 0)
            return;
        foreach (var message in _createdInCallback)
            message.Release();
        _createdInCallback.Clear();
    }

    /// <summary>Gives the algorithm an engine notification about <paramref name="peer"/>.</summary>
    private void Notify(int type, NodeId peer, int applicationId = 0)
    {
        if (_stopping)
            return;
        var message = Pool.Rent(0);
        message.Type = type;
        message.Sender = peer;
        message.From = Id;
        message.ApplicationId = applicationId;
        var disposition = RunProcess(message, null);
        if (disposition != Disposition.Hold)
            message.Release();
    }

    private static bool HasPendingFor(InputPort input, DownstreamLink link)
    {
        foreach (var pending in input.Pending)
        {
            if (pending.Link == link)
                return true;
        }

        return false;
    }

    /// <summary>Retries the pending sends of a stalled input in order.</summary>
    /// <returns>True when none is left.</returns>
    private static bool RetryPending(InputPort input)
    {
        var pending = input.Pending;
        var kept = 0;
        for (var i = 0; i < pending.Count; i++)
        {
            var item = pending[i];
            var blockedEarlier = false;
            for (var j = 0; j < kept; j++)
            {
                if (pending[j].Link == item.Link)
                {
                    blockedEarlier = true;
                    break;
                }
            }

            if (!blockedEarlier && item.Link.TryEnqueue(item.Message))
            {
                item.Message.Release();
                continue;
            }

            pending[kept++] = item;
        }

        pending.RemoveRange(kept, pending.Count - kept);
        return kept == 0;
    }

    private void AddInput(InputPort input)
    {
        _inputs.Add(input);
        _inputsVersion++;
    }

    private void RemoveInput(InputPort input)
    {
        _inputs.Remove(input);
        _inputsVersion++;
        foreach (var pending in input.Pending)
        {
            pending.Message.Release();
            Interlocked.Increment(ref _messagesLost);
        }

        input.Pending.Clear();
    }

    private void PauseSource(ApplicationSource source)
    {
        source.PauseUntil(TimeProvider.GetTimestamp() + (long)(IdleSourceBackoff.TotalSeconds * TimeProvider.TimestampFrequency));
        _sourceResumeTimer ??= TimeProvider.CreateTimer(static state => ((OverlayNode)state!).Wake(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _sourceResumeTimer.Change(IdleSourceBackoff, Timeout.InfiniteTimeSpan);
    }

    /// <summary>A source produced its last message and every send of it was accepted.</summary>
    internal void OnSourceFinished(ApplicationSource source)
    {
        if (_sources.Remove(source.ApplicationId))
            RemoveSource(source);
    }

    private void RemoveSource(ApplicationSource source)
    {
        RemoveInput(source);
        LogSourceEnded(source.ApplicationId, source.Produced);
        Notify(MessageTypes.BrokenSource, Id, source.ApplicationId);
    }

    private void BeginStop()
    {
        if (_stopping)
            return;
        RunCallback(static (node, _) => node.Algorithm.OnStop(), null);
        _stopping = true;
        foreach (var timer in _timers.ToArray())
            timer.Dispose();
        _sourceResumeTimer?.Dispose();
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
            link.Complete();
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

    [LoggerMessage(Level = LogLevel.Error, Message = "The algorithm threw while handling a message of type {Type}; the message counts as consumed")]
    private partial void LogAlgorithmFailed(Exception exception, int type);

    [LoggerMessage(Level = LogLevel.Information, Message = "Source of application {Application} deployed")]
    private partial void LogSourceDeployed(int application);

    [LoggerMessage(Level = LogLevel.Information, Message = "Source of application {Application} ended after {Messages} messages")]
    private partial void LogSourceEnded(int application, long messages);
}
