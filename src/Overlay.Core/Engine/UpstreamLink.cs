using System.Runtime.CompilerServices;
using Overlay.Buffers;
using Overlay.Emulation;
using Overlay.Transport;
using Overlay.Wire;

namespace Overlay.Engine;

/// <summary>
/// A link a peer opened to this node: its receive loop fills the inbound buffer, the node's loop drains it.
/// When the buffer is full the receive loop stops reading the socket, so TCP flow control pushes back upstream.
/// </summary>
internal sealed class UpstreamLink : InputPort, IFrameSink
{
    private static readonly TimeSpan MinimumSleep = TimeSpan.FromMilliseconds(1);

    // How long a closing link waits for its answers in flight (see RunAsync).
    private static readonly TimeSpan RepliesGrace = TimeSpan.FromSeconds(1);

    private readonly OverlayNode _node;
    private readonly SpscRing<Message> _buffer;
    private readonly AsyncSignal _space;
    private readonly TokenBucket _linkBucket;

    // This link's weighted shares of the node's download and total budgets (see TokenBucket's remarks).
    private readonly BucketShare _downloadShare;
    private readonly BucketShare _totalShare;
    private readonly KernelBufferSizing? _kernelBuffers;
    private readonly GrantSlice _grant;
    private readonly LinkTimer _throttle;
    private readonly SemaphoreSlim _replyGate = new(1, 1);
    private readonly CancellationTokenSource _closed = new();
    private int _repliesInFlight;
    private int _receiverWaiting;
    private int _closing;
    private long _lastHeard;
    private long _lastReplied;
    private int _blocked;
    // Why the link closed: the first cause found (silence, a malformed frame, the receive loop's failure).
    private readonly CloseCause _closeCause = new();
    // Data bytes delivered since the buckets were last charged (receive loop only): charged once per socket read.
    private long _unchargedBytes;

    // When the emulated limits let the receive loop deliver again (0: no wait pending; receive loop only).
    private long _throttleDeadline;

    // The smallest read under an emulated limit: at very low rates a slice would be a few bytes per system call.
    internal const int MinimumReadBytes = 1024;
    private long _probeStart;
    private long _probeBytes;
    private long _messages;
    private long _bytes;

    public UpstreamLink(OverlayNode node, IConnection connection, int capacity, long openedAt)
    {
        Meter = new RateMeter(openedAt);
        _node = node;
        Connection = connection;
        _space = new AsyncSignal(node.Runtime.Scheduler);
        _buffer = new SpscRing<Message>(capacity);
        _linkBucket = node.AcquireLinkBucket(connection.Remote, LinkDirection.Upstream);
        _grant = new GrantSlice(node.LimitChanges, _linkBucket, node.DownloadBucket, node.TotalBucket);
        if (node.SizesKernelBuffers)
            _kernelBuffers = new KernelBufferSizing(node, _linkBucket, node.DownloadBucket, send: false);
        _downloadShare = node.DownloadBucket.AddShare(Weight);
        _totalShare = node.TotalBucket.AddShare(Weight);
        _throttle = new LinkTimer(node.TimeProvider, node.Runtime.Scheduler);
    }

    public NodeId Peer => Connection.Remote;

    public IConnection Connection { get; }

    /// <summary>True once the head of the buffer went through the algorithm but waits for pending sends.</summary>
    public bool HeadProcessed { get; set; }

    /// <summary>Why the link closed, once it has: the first cause found.</summary>
    public WireError CloseReason => _closeCause.Reason;

    /// <summary>The exception that closed the link first, if any.</summary>
    public Exception? CloseException => _closeCause.Exception;

    /// <summary>True once this node closed the link itself (<see cref="Close"/>), not the peer or the transport.</summary>
    public bool ClosedLocally => Volatile.Read(ref _closing) != 0;

    public long MessagesReceived => Volatile.Read(ref _messages);

    public long BytesReceived => Volatile.Read(ref _bytes);

    /// <summary>Throughput over the last measurement interval.</summary>
    public RateMeter Meter { get; }

    /// <summary>Applications this link has carried.</summary>
    public ApplicationSet Applications { get; } = new();

    public int Buffered => _buffer.Count;

    public int Capacity => _buffer.Capacity;

    /// <summary>Timestamp of the last frame read from the peer.</summary>
    public long LastHeard => Volatile.Read(ref _lastHeard);

    /// <summary>Timestamp of the last frame written back to the peer (heartbeats, pongs).</summary>
    public long LastReplied => Volatile.Read(ref _lastReplied);

    /// <summary>True while the receive loop deliberately does not read (full buffer, emulated download limit).</summary>
    public bool IsBlocked => Volatile.Read(ref _blocked) != 0;

    public void Start()
    {
        var now = _node.TimeProvider.GetTimestamp();
        _lastHeard = now;
        _lastReplied = now;
        _kernelBuffers?.Update(Connection);
        _ = RunAsync(); // ends by posting UpstreamClosed; nothing awaits it
    }

    /// <summary>Sends a heartbeat back to the peer, so it knows this node lives even while it does not read.</summary>
    public void SendHeartbeat()
    {
        var heartbeat = _node.Pool.Rent(0);
        heartbeat.Type = MessageTypes.KeepAlive;
        heartbeat.Sender = _node.Id;
        heartbeat.EncodeHeader();
        _ = ReplyAsync(heartbeat);
    }

    /// <summary>
    /// Sets the link's weight: messages per switch round, and its part of the node's download and total budgets. Any
    /// thread (the buckets take their locks).
    /// </summary>
    public void SetWeight(int weight)
    {
        Weight = weight;
        _node.DownloadBucket.SetShareWeight(_downloadShare, weight);
        _node.TotalBucket.SetShareWeight(_totalShare, weight);
    }

    /// <summary>Closes the link because the peer went silent.</summary>
    public void CloseSilent()
    {
        _closeCause.Note(WireError.Silent, null);
        Close();
    }

    /// <summary>Closes the link; the receive loop ends and reports through the node's inbox.</summary>
    public void Close()
    {
        Volatile.Write(ref _closing, 1);
        Connection.Abort();
        _space.Set();
        _throttle.Interrupt();
    }

    public override bool TryTake(out Message message)
    {
        if (!_buffer.TryPeek(out message))
            return false;
        HeadProcessed = true;
        return true;
    }


    public override void OnDispatched()
    {
        if (HeadProcessed)
            Advance();
    }

    /// <summary>Releases what is still buffered. Only once the receive loop has ended.</summary>
    public int DrainAfterClose()
    {
        var released = 0;
        if (HeadProcessed && _buffer.TryDequeue(out _))
            HeadProcessed = false; // already released by the loop when it was processed
        while (_buffer.TryDequeue(out var message))
        {
            _node.CountLost(message);
            message.Release();
            released++;
        }

        return released;
    }

    ValueTask IFrameSink.OnMessageAsync(Message message)
    {
        if (MessageTypes.IsLinkInternal(message.Type))
        {
            if (message.Type == MessageTypes.Ping)
            {
                message.Type = MessageTypes.Pong;
                message.Sender = _node.Id;
                message.EncodeHeader();
                _ = ReplyAsync(message);
                return ValueTask.CompletedTask;
            }

            if (message.Type == MessageTypes.Probe)
                return TakeProbeAsync(message);
            message.Release();
            return ValueTask.CompletedTask;
        }

        if (MessageTypes.IsObserverProtocol(message.Type))
        {
            // A stranger (or a confused node) trying to command this node: refuse, close, count.
            message.Release();
            throw new WireFormatException(WireError.NotAllowed);
        }

        message.From = Connection.Remote;
        Applications.Note(message.ApplicationId);
        Volatile.Write(ref _messages, _messages + 1);
        Volatile.Write(ref _bytes, _bytes + message.FrameLength);

        // The emulated limits are charged per socket read (OnReceiving), as the send side charges per batch: three
        // locked bucket reservations per small message cost more than the message. A read whose charge left a debt
        // makes the next frame wait it out, and while it waits the socket is not read.
        _unchargedBytes += message.FrameLength;
        var throttled = _throttleDeadline != 0;
        if (!throttled && _buffer.TryEnqueue(message))
        {
            // A full buffer is switched now; otherwise the switch runs once the reader has no whole frame left
            // (OnReceiving), so one run serves many frames of a read.
            if (_buffer.IsFull)
                _node.RunSwitchInline();
            return ValueTask.CompletedTask;
        }

        // A full buffer with no emulated limit to wait out skips DeliverSlowlyAsync: one suspended state machine,
        // not two (their boxes come from a small per-core cache that many links overflow).
        return throttled ? DeliverSlowlyAsync(message) : WaitForSpaceAsync(message);
    }

    void IFrameSink.OnReceiving()
    {
        // Every frame of the last read has been taken: the peer was heard then. Stamped once per read, not per
        // frame, because reading the clock cost more than anything else per small message.
        var now = _node.TimeProvider.GetTimestamp();
        Volatile.Write(ref _lastHeard, now);
        if (_unchargedBytes != 0)
        {
            var wait = Throttle(_unchargedBytes);
            _unchargedBytes = 0;
            if (wait >= MinimumSleep)
                _throttleDeadline = now + (long)(wait.TotalSeconds * _node.TimeProvider.TimestampFrequency);
        }

        _kernelBuffers?.Update(Connection);
        if (!_buffer.IsEmpty)
            _node.RunSwitchInline();
    }

    int IFrameSink.ReadLimit
    {
        get
        {
            // Charged per read (OnReceiving), a read is delivered at once and its debt waited out after: reads as
            // large as the staging buffer would make a slow link deliver in lumps of up to 64 KiB (a third of a second
            // at 200 KB/s, several measurement intervals at tens of KB/s). Under a limit, a read takes one grant's
            // worth, as a send batch does (DownstreamLink.GrantSeconds), and at least MinimumReadBytes.
            var slice = _grant.Bytes;
            return double.IsPositiveInfinity(slice) ? int.MaxValue : (int)Math.Max(MinimumReadBytes, slice);
        }
    }

    private void Advance()
    {
        _buffer.TryDequeue(out _);
        HeadProcessed = false;
        // Full fence between freeing the slot and reading the flag: see WaitForSpaceAsync.
        if (Interlocked.CompareExchange(ref _receiverWaiting, 0, 1) == 1)
            _space.Set();
    }

    /// <summary>
    /// Charges the link's bucket and this link's weighted shares of the node's download and total budgets; the wait is
    /// how long the receive loop must pause to respect them.
    /// </summary>
    private TimeSpan Throttle(long bytes)
    {
        var wait = _linkBucket.Reserve(bytes);
        var download = _node.DownloadBucket.Reserve(bytes, _downloadShare);
        var total = _node.TotalBucket.Reserve(bytes, _totalShare);
        if (download > wait)
            wait = download;
        return total > wait ? total : wait;
    }

    // Delivers after the emulated download limit allows it. While this waits the socket is not read, so TCP
    // flow control carries the limit to the sender.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask DeliverSlowlyAsync(Message message)
    {
        try
        {
            var time = _node.TimeProvider;
            var wait = time.GetElapsedTime(time.GetTimestamp(), _throttleDeadline);
            _throttleDeadline = 0;
            await SleepAsync(wait);
        }
        catch
        {
            message.Release();
            throw;
        }

        await WaitForSpaceAsync(message);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SleepAsync(TimeSpan wait)
    {
        if (wait < MinimumSleep)
            return;
        Volatile.Write(ref _blocked, 1);
        try
        {
            await SleepUntilAsync(wait);
        }
        finally
        {
            Unblock();
        }
    }

    private void Unblock()
    {
        // Silence is measured from the moment the loop reads again, not from before it stopped on purpose.
        Volatile.Write(ref _lastHeard, _node.TimeProvider.GetTimestamp());
        Volatile.Write(ref _blocked, 0);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SleepUntilAsync(TimeSpan wait)
    {
        var time = _node.TimeProvider;
        var deadline = time.GetTimestamp() + (long)(wait.TotalSeconds * time.TimestampFrequency);
        while (true)
        {
            if (Volatile.Read(ref _closing) != 0)
                throw new OperationCanceledException("The link is closing.");
            var left = time.GetElapsedTime(time.GetTimestamp(), deadline);
            if (left < MinimumSleep)
                return;
            await _throttle.WaitAsync(left);
        }
    }

    /// <summary>
    /// A probe is throttled like data (so the train shows the emulated limits), timed, and released; the last one
    /// of a train is answered with the measured rate.
    /// </summary>
    private async ValueTask TakeProbeAsync(Message probe)
    {
        try
        {
            await SleepAsync(Throttle(probe.FrameLength));
            var now = _node.TimeProvider.GetTimestamp();
            if (probe.SequenceNumber == 0)
            {
                _probeStart = now;
                _probeBytes = 0;
            }
            else
            {
                _probeBytes += probe.FrameLength;
            }

            if (probe.SequenceNumber == ProbeTrain.Length - 1 && _probeStart != 0)
            {
                var seconds = Math.Max(1e-6, _node.TimeProvider.GetElapsedTime(_probeStart, now).TotalSeconds);
                _ = ReplyAsync(ProbeTrain.CreateReport(_node.Pool, _node.Id, probe.ApplicationId, _probeBytes / seconds));
                _probeStart = 0;
            }
        }
        finally
        {
            probe.Release();
        }
    }

    /// <summary>
    /// Writes a link-internal answer (pong, probe report) back on this connection, after this node's emulated delay
    /// towards the peer. Takes ownership of <paramref name="reply"/>.
    /// </summary>
    private async Task ReplyAsync(Message reply)
    {
        Interlocked.Increment(ref _repliesInFlight);
        try
        {
            var delay = _node.GetLinkConditions(Connection.Remote).Delay;
            if (delay > TimeSpan.Zero)
                await Task.Delay(delay, _node.TimeProvider, _closed.Token);
            await _replyGate.WaitAsync();
            try
            {
                await Connection.SendAsync(new[] { reply });
                Volatile.Write(ref _lastReplied, _node.TimeProvider.GetTimestamp());
            }
            finally
            {
                _replyGate.Release();
            }
        }
        catch (Exception ex) when (ex is TransportException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            // The link is going away; its receive loop reports that.
        }
        finally
        {
            reply.Release();

            // The last answer of a closing link wakes the receive loop, which waits for it before it reports the close.
            if (Interlocked.Decrement(ref _repliesInFlight) == 0 && _closed.IsCancellationRequested)
                _throttle.Interrupt();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WaitForSpaceAsync(Message message)
    {
        Volatile.Write(ref _blocked, 1);
        try
        {
            var switched = false;
            while (true)
            {
                Interlocked.Exchange(ref _receiverWaiting, 1);
                if (Volatile.Read(ref _closing) != 0)
                {
                    message.Release();
                    throw new OperationCanceledException("The link is closing.");
                }

                if (_buffer.TryEnqueue(message))
                {
                    Volatile.Write(ref _receiverWaiting, 0);
                    if (_buffer.IsFull)
                        _node.RunSwitchInline();
                    return;
                }

                // Before sleeping, let the switch make room if the node's loop is idle (or wake it).
                if (!switched)
                {
                    switched = true;
                    _node.RunSwitchInline();
                    continue;
                }

                switched = false;
                await _space.WaitAsync();
            }
        }
        finally
        {
            Unblock();
        }
    }

    private async Task RunAsync()
    {
        try
        {
            await Connection.ReceiveAsync(this, CancellationToken.None);
        }
        catch (Exception ex)
        {
            _closeCause.Note(ex);
        }

        // Answers still waiting out an emulated delay hold messages: end them before the node hears the link closed,
        // so that a stopped node has every message back in the pool.
        // The receive loop is over, so its throttle timer is free to time this wait (on the node's clock), and the
        // last answer interrupts it; an answer stuck in a send is given up after a second.
        await _closed.CancelAsync();
        var waitingSince = _node.TimeProvider.GetTimestamp();
        while (Volatile.Read(ref _repliesInFlight) > 0)
        {
            var left = RepliesGrace - _node.TimeProvider.GetElapsedTime(waitingSince);
            if (left <= TimeSpan.Zero)
                break;
            await _throttle.WaitAsync(left);
        }

        _throttle.Dispose();
        // Nothing reads for this link any more: its parts of the node's budgets go to the other upstreams.
        _node.DownloadBucket.RemoveShare(_downloadShare);
        _node.TotalBucket.RemoveShare(_totalShare);
        await Connection.DisposeAsync();
        _node.Post(new NodeEvent(NodeEventKind.UpstreamClosed, this));
    }
}
