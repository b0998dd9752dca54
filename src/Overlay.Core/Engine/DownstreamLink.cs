using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Overlay.Buffers;
using Overlay.Emulation;
using Overlay.Transport;
using Overlay.Wire;

namespace Overlay.Engine;

/// <summary>
/// A link this node opened to a peer: the node's loop fills the outbound buffer, the send loop drains it in
/// batches, one gather write per batch. Opened on the first send to the peer and reused by every application.
/// </summary>
/// <remarks>
/// The send loop also applies the emulation of this direction: emulated loss when a message leaves the buffer,
/// a delay line (latency and jitter, driven by timestamps), then the token buckets (link, node upload, node total)
/// right before the write.
/// </remarks>
internal sealed class DownstreamLink : IFrameSink, ISendProgress
{
    private const int MaxBatchMessages = 512;
    private const int MaxBatchBytes = 256 * 1024;

    // While a batch holds less than this, the send loop runs the switch inline to refill the outbound buffer and
    // takes what it made: small messages then leave many to a system call although the buffer holds only a few.
    private const int RefillBatchBytes = 64 * 1024; // one gather write's staging buffer on TCP (SocketSender.StagingSize)

    // Bound on messages "on the emulated wire", so a long delay cannot turn into unbounded memory.
    private const int MaxDelayLine = 4096;

    // Under an emulated limit a batch holds at most this much time's worth of the tightest rate (and at least one
    // frame): bytes are granted and leave in slices this fine, so a slow link's byte counter (and its measured rate)
    // moves several times per measurement interval instead of once per burst-sized batch.
    internal const double GrantSeconds = 0.05;

    // Waits shorter than this are not slept: the debt stays in the bucket and the next batch repays it.
    private static readonly TimeSpan MinimumSleep = TimeSpan.FromMilliseconds(1);

    private readonly OverlayNode _node;
    private readonly SpscRing<Message> _buffer;
    private readonly AsyncSignal _work;
    private readonly Message[] _batch = new Message[MaxBatchMessages];
    // Ordered by due time (then by arrival), so that jitter may reorder messages when the conditions allow it.
    private readonly PriorityQueue<Message, (long Due, long Order)> _delayLine = new();
    private readonly TokenBucket _linkBucket;
    private readonly KernelBufferSizing? _kernelBuffers;
    private readonly GrantSlice _grant;
    private readonly Random _random;
    private readonly ITimer _wakeTimer;
    private int _senderWaiting;
    private int _completing;
    private int _closing;
    private int _pingRequested;
    private int _probeRequested;
    private int _keepAliveRequested;
    private long _lastSent;
    private long _lastHeard;
    private long _lastPing;
    // Why the link closed, set by whoever found it first: the liveness checker (Silent), the reverse reader (a
    // malformed frame), or the send loop.
    private readonly CloseCause _closeCause = new();

    // Link-internal frames made by the send loop itself (pings, probe trains), sent before the buffer's data.
    private readonly Queue<Message> _linkFrames = new();
    private long _messages;
    private long _bytes;
    private long _emulatedLoss;
    private long _emulatedLossBytes;
    private int _closedByPeer;
    private long _roundTripTicks = -1;
    private long _lastDue;
    private long _delayOrder;

    // Send loop only: emulated loss emptied buffer slots that no batch will announce (see RunAsync).
    private bool _lostSinceWake;
    private IConnection? _connection;

    // The batch being written: frames [0, _writing), and how far the kernel has taken it (send loop only).
    private int _writing;
    private int _writtenFrame;
    private int _writtenOffset;

    public DownstreamLink(OverlayNode node, NodeId peer, int capacity, long openedAt, int ordinal)
    {
        Meter = new RateMeter(openedAt);
        _node = node;
        Peer = peer;
        _work = new AsyncSignal(node.Runtime.Scheduler);
        _buffer = new SpscRing<Message>(capacity);
        _linkBucket = node.AcquireLinkBucket(peer, LinkDirection.Downstream);
        _grant = new GrantSlice(node.LimitChanges, _linkBucket, node.UploadBucket, node.TotalBucket);
        if (node.SizesKernelBuffers)
            _kernelBuffers = new KernelBufferSizing(node, _linkBucket, node.UploadBucket, send: true);
        _random = new Random(node.EmulationSeedFor(ordinal));
        _wakeTimer = node.TimeProvider.CreateTimer(static state => ((AsyncSignal)state!).Set(), _work, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public NodeId Peer { get; }

    /// <summary>
    /// Sends that did not fit, oldest first (node loop only). While any waits, new sends queue behind it,
    /// so a link carries messages in exactly the order the algorithm sent them.
    /// </summary>
    public Queue<PendingSend> Waiting { get; } = new();

    /// <summary>True when a send would go into the buffer now: nothing waits and the buffer is not full (node loop only).</summary>
    public bool HasRoom => Waiting.Count == 0 && !_buffer.IsFull;

    /// <summary>True while the node watches this link to tell the algorithm when it has room (node loop only).</summary>
    public bool WritableWanted { get; set; }

    /// <summary>True once the connection is open and handshaken.</summary>
    public bool IsConnected => Volatile.Read(ref _connection) is not null;

    /// <summary>True when the link ended before it ever connected.</summary>
    public bool NeverConnected { get; private set; }

    /// <summary>The exception that closed the link first, if any.</summary>
    public Exception? CloseException => _closeCause.Exception;

    /// <summary>Why the link closed, once it has: the first cause found.</summary>
    public WireError CloseReason => _closeCause.Reason;

    /// <summary>True once this node closed the link itself (<see cref="Close"/>), not the peer or the transport.</summary>
    public bool ClosedLocally => Volatile.Read(ref _closing) != 0 && Volatile.Read(ref _closedByPeer) == 0;

    public long MessagesSent => Volatile.Read(ref _messages);

    public long BytesSent => Volatile.Read(ref _bytes);

    /// <summary>Messages dropped by emulated loss.</summary>
    public long EmulatedLoss => Volatile.Read(ref _emulatedLoss);

    /// <summary>Bytes (whole frames) of the messages dropped by emulated loss.</summary>
    public long EmulatedLossBytes => Volatile.Read(ref _emulatedLossBytes);

    /// <summary>The last measured round-trip time, or null before the first answer.</summary>
    public TimeSpan? RoundTripTime
    {
        get
        {
            var ticks = Volatile.Read(ref _roundTripTicks);
            return ticks < 0 ? null : TimeSpan.FromTicks(ticks);
        }
    }

    /// <summary>Throughput over the last measurement interval.</summary>
    public RateMeter Meter { get; }

    /// <summary>Applications this link has carried.</summary>
    public ApplicationSet Applications { get; } = new();

    public int Buffered => _buffer.Count;

    public int Capacity => _buffer.Capacity;

    public void Start(ITransport transport) => _ = RunAsync(transport); // ends by posting DownstreamClosed

    /// <summary>Queues a data message if there is room; takes its own reference when it does.</summary>
    public bool TryEnqueue(Message message)
    {
        // Only the node's loop produces into the ring, so a full ring stays full until this returns: no reference
        // taken and dropped again for a send that has to wait.
        if (_buffer.IsFull)
            return false;
        Applications.Note(message.ApplicationId);
        message.Retain();
        if (!_buffer.TryEnqueue(message))
        {
            message.Release();
            return false;
        }

        WakeSender();
        return true;
    }

    /// <summary>Asks the send loop to put a round-trip probe on the link (behind what is queued).</summary>
    public void RequestPing()
    {
        Volatile.Write(ref _pingRequested, 1);
        WakeSender();
    }

    /// <summary>Asks the send loop to send a probe train (and a ping) so the peer can measure the bandwidth.</summary>
    public void RequestProbe(int trainId)
    {
        Volatile.Write(ref _probeRequested, trainId);
        RequestPing();
    }

    /// <summary>Bytes the peer sent back on this link (heartbeats, pongs, probe reports).</summary>
    public long ReverseBytesReceived => Volatile.Read(ref _connection)?.BytesReceived ?? 0;

    /// <summary>
    /// Bytes the peer sent back on this link that wait unread (pongs, heartbeats): proof it lives. 0 on a connection
    /// without the optional <see cref="IKernelBuffers"/> capability.
    /// </summary>
    public int ReverseBytesWaiting => (Volatile.Read(ref _connection) as IKernelBuffers)?.BytesWaiting ?? 0;

    /// <summary>Timestamp of the last round-trip probe put on this link (0 before the first).</summary>
    public long LastPing => Volatile.Read(ref _lastPing);

    /// <summary>Timestamp of the last write on this link (0 before it connected).</summary>
    public long LastSent => Volatile.Read(ref _lastSent);

    /// <summary>Timestamp of the last frame the peer sent back on this link (heartbeats, pongs).</summary>
    public long LastHeard => Volatile.Read(ref _lastHeard);

    /// <summary>Asks the send loop for a keep-alive frame, even while it waits for bandwidth tokens.</summary>
    public void RequestKeepAlive()
    {
        Volatile.Write(ref _keepAliveRequested, 1);
        _work.Set();
    }

    /// <summary>Closes the link because the peer went silent.</summary>
    public void CloseSilent()
    {
        _closeCause.Note(WireError.Silent, null);
        Close();
    }

    /// <summary>Lets the send loop finish what is queued, then close.</summary>
    public void Complete()
    {
        Volatile.Write(ref _completing, 1);
        _work.Set();
    }

    /// <summary>Closes at once; the send loop ends and reports through the node's inbox.</summary>
    public void Close()
    {
        Volatile.Write(ref _closing, 1);
        Volatile.Read(ref _connection)?.Abort();
        _work.Set();
    }

    /// <summary>Releases what is still queued. Only once the send loop has ended.</summary>
    public int DrainAfterClose()
    {
        var released = 0;
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
        // Nothing but link-internal frames may travel against the direction of use.
        Volatile.Write(ref _lastHeard, _node.TimeProvider.GetTimestamp());
        var type = message.Type;
        if (type == MessageTypes.Pong && message.PayloadLength >= sizeof(long))
        {
            var sent = BinaryPrimitives.ReadInt64LittleEndian(message.Payload);
            var rtt = _node.TimeProvider.GetElapsedTime(sent);
            Volatile.Write(ref _roundTripTicks, Math.Max(0, rtt.Ticks));
            _node.Metrics?.RecordRoundTrip(Peer, rtt);
        }
        else if (type == MessageTypes.ProbeReport && message.PayloadLength >= sizeof(double))
        {
            var rate = BinaryPrimitives.ReadDoubleLittleEndian(message.Payload);
            _node.Post(new NodeEvent(NodeEventKind.ProbeReported, new ProbeOutcome(message.ApplicationId, rate)));
        }

        message.Release();
        if (!MessageTypes.IsLinkInternal(type))
            throw new WireFormatException(WireError.UnknownType, "A data frame arrived on a send-only link.");
        return ValueTask.CompletedTask;
    }

    void ISendProgress.OnWritten(int bytes)
    {
        // Data bytes count as they leave, a partly written frame included; a message counts once its last byte left.
        // Link-internal frames (pings, probes) are not data.
        var counted = 0L;
        var completed = 0;
        while (bytes > 0 && _writtenFrame < _writing)
        {
            var frame = _batch[_writtenFrame];
            var take = Math.Min(bytes, frame.FrameLength - _writtenOffset);
            var data = !MessageTypes.IsLinkInternal(frame.Type);
            if (data)
                counted += take;
            bytes -= take;
            _writtenOffset += take;
            if (_writtenOffset == frame.FrameLength)
            {
                if (data)
                    completed++;
                _writtenFrame++;
                _writtenOffset = 0;
            }
        }

        if (counted != 0)
            Volatile.Write(ref _bytes, _bytes + counted);
        if (completed != 0)
            Volatile.Write(ref _messages, _messages + completed);
    }

    private void WakeSender()
    {
        if (Interlocked.CompareExchange(ref _senderWaiting, 0, 1) == 1)
            _work.Set();
    }

    private async Task RunAsync(ITransport transport)
    {
        IConnection? connection = null;
        var inFlight = 0;
        try
        {
            connection = await ConnectWithRetriesAsync(transport);
            var opened = _node.TimeProvider.GetTimestamp();
            Volatile.Write(ref _lastHeard, opened);
            Volatile.Write(ref _lastSent, opened);
            Volatile.Write(ref _connection, connection);
            if (Volatile.Read(ref _closing) != 0)
                connection.Abort();
            _ = WatchReverseAsync(connection);

            while (Volatile.Read(ref _closing) == 0)
            {
                var conditions = _node.GetLinkConditions(Peer);
                var maxBytes = ShapedBatchBytes();
                var bytes = 0;
                long nextDue = 0;
                if (conditions.HasDelay)
                {
                    inFlight = TakeFromDelayLine(conditions, maxBytes, out nextDue);
                    for (var i = 0; i < inFlight; i++)
                        bytes += _batch[i].FrameLength;
                }
                else
                {
                    MakeLinkFrames();
                    inFlight = FillBatch(conditions, maxBytes, 0, ref bytes);
                }

                if (inFlight == 0)
                {
                    // Losses made room but nothing goes out to announce it: a switch stalled on this full buffer
                    // would otherwise sleep for good.
                    if (_lostSinceWake)
                    {
                        _lostSinceWake = false;
                        _node.Wake();
                    }

                    if (Volatile.Read(ref _completing) != 0 && _delayLine.Count == 0 && _buffer.IsEmpty && _linkFrames.Count == 0)
                        return;
                    // Awaited here, not in a helper: this long-lived state machine is boxed once (see FrameReader.RunAsync).
                    if (PrepareToWait(nextDue))
                        await _work.WaitAsync();
                    continue;
                }

                // Room was made in the outbound buffer: a stalled switch may go on.
                if (conditions.HasDelay)
                    _node.Wake();
                else
                    inFlight = Refill(conditions, Math.Min(maxBytes, RefillBatchBytes), inFlight, ref bytes);
                _kernelBuffers?.Update(connection);
                await ShapeAsync(connection, bytes);
                // Bytes and messages are counted as the kernel takes them (OnWritten), not when the whole batch is
                // done: a batch can take long to leave, and the link's rate must not read zero meanwhile.
                _writing = inFlight;
                _writtenFrame = 0;
                _writtenOffset = 0;
                await connection.SendAsync(_batch.AsMemory(0, inFlight), this);
                _writing = 0;
                Volatile.Write(ref _lastSent, _node.TimeProvider.GetTimestamp());
                for (var i = 0; i < inFlight; i++)
                {
                    _batch[i].Release();
                    _batch[i] = null!;
                }

                inFlight = 0;
            }
        }
        catch (Exception ex)
        {
            NeverConnected = connection is null;
            _closeCause.Note(ex);
        }
        finally
        {
            // Data taken from the buffer but never written (a batch waiting for tokens, messages on the emulated
            // wire) is lost like what is still buffered, and counted so. When a write failed partway, the frames the
            // kernel took whole were already counted sent (OnWritten): they are only released, so each message
            // counts as exactly one of sent or lost. A frame cut short counts lost (its written bytes stay counted).
            var written = _writing != 0 ? _writtenFrame : 0;
            _writing = 0;
            for (var i = 0; i < inFlight; i++)
            {
                if (i < written)
                    _batch[i].Release();
                else
                    ReleaseUnsent(_batch[i]);
                _batch[i] = null!;
            }

            while (_delayLine.TryDequeue(out var delayed, out _))
                ReleaseUnsent(delayed);
            while (_linkFrames.TryDequeue(out var frame))
                frame.Release();
            _wakeTimer.Dispose();
            if (connection is not null)
                await connection.DisposeAsync();
            _node.Post(new NodeEvent(NodeEventKind.DownstreamClosed, this));
        }
    }

    private void ReleaseUnsent(Message message)
    {
        if (!MessageTypes.IsLinkInternal(message.Type))
            _node.CountLost(message);
        message.Release();
    }

    /// <summary>
    /// Runs the switch (inline when the node's loop is idle, see <see cref="OverlayNode.RunSwitchInline"/>) and
    /// takes what it put into the buffer, as long as that adds to a batch still below <paramref name="maxBytes"/>.
    /// The buffer never holds more than its capacity: a message taken into the batch counts as being written.
    /// </summary>
    private int Refill(LinkConditions conditions, int maxBytes, int count, ref int bytes)
    {
        while (true)
        {
            // Budget: what fits this buffer; the switch's other work is the loop task's, so this batch is not held up.
            _node.RunSwitchInline(_buffer.Capacity);
            if (count >= MaxBatchMessages || bytes >= maxBytes)
                return count;
            var before = count;
            count = FillBatch(conditions, maxBytes, count, ref bytes);
            if (count == before)
                return count;
        }
    }

    /// <summary>Without a delay line: link frames, then buffer → batch, dropping emulated losses.</summary>
    private int FillBatch(LinkConditions conditions, int maxBytes, int count, ref int bytes)
    {
        while (count < MaxBatchMessages && (bytes < maxBytes || count == 0) && _linkFrames.TryDequeue(out var frame))
            bytes += (_batch[count++] = frame).FrameLength;
        while (count < MaxBatchMessages && (bytes < maxBytes || count == 0) && _buffer.TryDequeue(out var message))
        {
            if (IsLost(conditions, message))
            {
                message.Release();
                continue;
            }

            _batch[count++] = message;
            bytes += message.FrameLength;
        }

        return count;
    }

    /// <summary>With a delay line: buffer → stamped delay line; due messages → batch.</summary>
    private int TakeFromDelayLine(LinkConditions conditions, int maxBytes, out long nextDue)
    {
        var time = _node.TimeProvider;
        var now = time.GetTimestamp();
        MakeLinkFrames();
        while (_linkFrames.TryDequeue(out var frame))
            _delayLine.Enqueue(frame, (DueTime(conditions, now), _delayOrder++));
        while (_delayLine.Count < MaxDelayLine && _buffer.TryDequeue(out var message))
        {
            if (IsLost(conditions, message))
            {
                message.Release();
                continue;
            }

            _delayLine.Enqueue(message, (DueTime(conditions, now), _delayOrder++));
        }

        var count = 0;
        var bytes = 0;
        nextDue = 0;
        while (count < MaxBatchMessages && (bytes < maxBytes || count == 0) && _delayLine.TryPeek(out var head, out var key))
        {
            if (key.Due > now)
            {
                nextDue = key.Due;
                break;
            }

            _delayLine.Dequeue();
            _batch[count++] = head;
            bytes += head.FrameLength;
        }

        return count;
    }

    private long DueTime(LinkConditions conditions, long now)
    {
        var delay = conditions.Delay.TotalSeconds;
        if (conditions.Jitter > TimeSpan.Zero)
            delay = Math.Max(0, delay + (((_random.NextDouble() * 2) - 1) * conditions.Jitter.TotalSeconds));
        var due = now + (long)(delay * _node.TimeProvider.TimestampFrequency);
        if (!conditions.AllowReordering)
            due = Math.Max(due, _lastDue);
        _lastDue = due;
        return due;
    }

    private bool IsLost(LinkConditions conditions, Message message)
    {
        if (conditions.LossRate <= 0 || _random.NextDouble() >= conditions.LossRate)
            return false;
        Volatile.Write(ref _emulatedLoss, _emulatedLoss + 1);
        Volatile.Write(ref _emulatedLossBytes, _emulatedLossBytes + message.FrameLength);
        _lostSinceWake = true;
        return true;
    }

    private void MakeLinkFrames()
    {
        // A ping is the keep-alive: the peer's pong proves both directions alive and refreshes the round-trip time,
        // so an idle link needs one probe, not a keep-alive plus a heartbeat plus a ping.
        var keepAlive = Interlocked.Exchange(ref _keepAliveRequested, 0) == 1;
        if ((Interlocked.Exchange(ref _pingRequested, 0) == 1) | keepAlive)
            _linkFrames.Enqueue(CreatePing());
        var train = Interlocked.Exchange(ref _probeRequested, 0);
        if (train != 0)
        {
            for (var i = 0; i < ProbeTrain.Length; i++)
                _linkFrames.Enqueue(ProbeTrain.CreateProbe(_node.Pool, _node.Id, train, i));
        }
    }

    private Message CreateKeepAlive()
    {
        var keepAlive = _node.Pool.Rent(0);
        keepAlive.Type = MessageTypes.KeepAlive;
        keepAlive.Sender = _node.Id;
        keepAlive.EncodeHeader();
        return keepAlive;
    }

    /// <summary>
    /// Connects, retrying with doubling back-off so that a peer restarting is not given up at once. Whatever the
    /// transport, a peer not reached (or lost during the handshake) is a <see cref="TransportException"/>; a refused
    /// handshake or a cancelled connect is final.
    /// </summary>
    private async Task<IConnection> ConnectWithRetriesAsync(ITransport transport)
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await transport.ConnectAsync(Peer, PeerRole.Node, CancellationToken.None);
            }
            catch (TransportException) when (attempt < _node.ConnectRetries && Volatile.Read(ref _closing) == 0)
            {
                await Task.Delay(backoff, _node.TimeProvider);
                backoff += backoff;
            }
        }
    }

    private Message CreatePing()
    {
        var ping = _node.Pool.Rent(sizeof(long));
        ping.Type = MessageTypes.Ping;
        ping.Sender = _node.Id;
        var now = _node.TimeProvider.GetTimestamp();
        BinaryPrimitives.WriteInt64LittleEndian(ping.Payload, now);
        ping.EncodeHeader();
        Volatile.Write(ref _lastPing, now);
        return ping;
    }

    /// <summary>
    /// The batch size the tightest active bucket allows in one grant (its burst, and no more than
    /// <see cref="GrantSeconds"/> of its rate), or the normal maximum. A batch always takes at least one frame.
    /// </summary>
    private int ShapedBatchBytes() => (int)Math.Min(MaxBatchBytes, _grant.Bytes);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ShapeAsync(IConnection connection, long bytes)
    {
        var wait = _linkBucket.Reserve(bytes);
        var upload = _node.UploadBucket.Reserve(bytes);
        var total = _node.TotalBucket.Reserve(bytes);
        if (upload > wait)
            wait = upload;
        if (total > wait)
            wait = total;
        if (wait < MinimumSleep)
            return;
        var time = _node.TimeProvider;
        var deadline = time.GetTimestamp() + (long)(wait.TotalSeconds * time.TimestampFrequency);
        while (Volatile.Read(ref _closing) == 0)
        {
            var left = time.GetElapsedTime(time.GetTimestamp(), deadline);
            if (left < MinimumSleep)
                return;
            _wakeTimer.Change(left, Timeout.InfiniteTimeSpan);
            Interlocked.Exchange(ref _senderWaiting, 0);
            await _work.WaitAsync();

            // A long wait for tokens must not look like a dead link to the peer.
            if (Interlocked.Exchange(ref _keepAliveRequested, 0) == 1)
            {
                var keepAlive = CreateKeepAlive();
                try
                {
                    await connection.SendAsync(new ReadOnlyMemory<Message>([keepAlive]));
                    Volatile.Write(ref _lastSent, time.GetTimestamp());
                }
                finally
                {
                    keepAlive.Release();
                }
            }
        }
    }

    /// <summary>
    /// Announces that the send loop is about to sleep on <see cref="_work"/>; false when there is work after all and
    /// it should look again instead.
    /// </summary>
    private bool PrepareToWait(long nextDue)
    {
        Interlocked.Exchange(ref _senderWaiting, 1);
        var delayLineRoom = _delayLine.Count < MaxDelayLine;
        if ((delayLineRoom && !_buffer.IsEmpty) || _linkFrames.Count > 0 || Volatile.Read(ref _pingRequested) != 0 || Volatile.Read(ref _keepAliveRequested) != 0 || Volatile.Read(ref _completing) != 0 || Volatile.Read(ref _closing) != 0)
        {
            Volatile.Write(ref _senderWaiting, 0);
            if (Volatile.Read(ref _completing) == 0 || _delayLine.Count == 0)
                return false;
        }

        if (nextDue != 0)
        {
            var time = _node.TimeProvider;
            var left = time.GetElapsedTime(time.GetTimestamp(), nextDue);
            _wakeTimer.Change(left > TimeSpan.Zero ? left : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }

        return true;
    }

    // The peer never sends on this connection but link-internal frames; reading it is how a dead peer shows.
    private async Task WatchReverseAsync(IConnection connection)
    {
        try
        {
            await connection.ReceiveAsync(this, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A malformed frame from the peer closes the link for that reason, even though the send loop then ends
            // on the abort (or quietly, when it was idle).
            _closeCause.Note(ex);
        }

        if (Volatile.Read(ref _completing) == 0)
        {
            // The peer or the transport ended the connection; this node did not close the link.
            if (Volatile.Read(ref _closing) == 0)
                Volatile.Write(ref _closedByPeer, 1);
            Close();
        }
    }
}
