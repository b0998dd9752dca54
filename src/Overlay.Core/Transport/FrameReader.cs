using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Overlay.Buffers;
using Overlay.Wire;

namespace Overlay.Transport;

/// <summary>
/// Turns a byte stream into validated, pooled messages.
/// </summary>
/// <remarks>
/// <para>Reads go into a 64 KiB staging buffer so that many small frames cost one system call; each frame is then
/// copied once into a message of exactly its size. A payload too large to be worth staging is read straight into
/// its message buffer. A header is validated before anything is rented for it, so a hostile length can never
/// make the reader allocate more than the configured maximum.</para>
/// <para>The staging buffer is rented from the shared array pool only while bytes flow: when every staged byte is
/// decoded and the last read did not fill the buffer (the socket is drained), the buffer goes back to the pool and
/// the reader waits for the next bytes with a zero-byte read, the idiom of Kestrel's socket transport. A waiting
/// link, and the reverse direction of a link that only ever carries a few control frames, thus hold no staging
/// memory; a busy link whose reads keep filling the buffer keeps it and pays no extra system call, and so does a link
/// whose last few waits each ended within a millisecond (tiny frames at a high rate) — until one wait is longer.</para>
/// <para>Before the peer has proved anything it costs little: the handshake is awaited with a zero-byte read and read
/// into a small buffer (<see cref="HandshakeStagingSize"/>), which grows to the full staging size only once frames
/// flow. A payload that is not already staged is reserved against the node's <see cref="ReceiveBudget"/> until it is
/// complete, so stalled large claims cannot add up past the budget (the slowest are closed instead).</para>
/// </remarks>
internal sealed class FrameReader : IDisposable
{
    internal const int StagingSize = 64 * 1024;

    // Room for the largest piece of the opening exchange (a handshake and a nonce, or a proof) and whatever frame
    // bytes follow it in the same read.
    internal const int HandshakeStagingSize = 128;

    // Payload remainders at least this large skip the staging buffer and land directly in the message.
    private const int DirectReadThreshold = 16 * 1024;

    // A link whose last few waits for bytes each ended this soon is busy: it keeps its staging buffer while it waits.
    // Stopwatch, not the node's clock, on purpose: this measures how long the socket really made the thread wait, a
    // memory heuristic about the machine; on a virtual clock every wait would look instant.
    private static readonly long BusyWaitTicks = Stopwatch.Frequency / 1000;
    private const int BusyAfterShortWaits = 4;

    private readonly MessagePool _pool;
    private readonly int _maxPayloadLength;
    private readonly ReceiveBudget? _budget;
    private byte[] _staging = [];
    private int _start;
    private int _end;

    // True when the last read into the staging buffer filled all the room it was given: more bytes are probably
    // waiting in the socket, so the next read is issued at once rather than after a zero-byte wait.
    private bool _lastFillFull;

    // How many bytes the last staged read was offered (see PrepareFill).
    private int _fillRequested;
    private bool _disposed;

    // Consecutive waits at a drained frame boundary that ended within BusyWaitTicks.
    private int _shortWaits;

    // False during the handshake (small staging), true once RunAsync decodes frames (full staging).
    private bool _framing;

    // The partly received message's reservation in the budget (0 when none), when it began, and how much of its
    // payload has arrived: read by other readers' threads when the budget is exhausted, to pick the slowest.
    private long _reserved;
    private long _reservedAt;
    private int _partialFilled;
    private int _evicted;
    private Action? _abort;

    /// <param name="pool">Where decoded messages come from.</param>
    /// <param name="maxPayloadLength">The largest payload a header may claim.</param>
    /// <param name="budget">The node's accounting of staging and partly received messages; null accounts nothing.</param>
    public FrameReader(MessagePool pool, int maxPayloadLength, ReceiveBudget? budget = null)
    {
        _pool = pool;
        _maxPayloadLength = maxPayloadLength;
        _budget = budget;
        budget?.Register(this);
    }

    /// <summary>Bytes taken from the source so far.</summary>
    public long BytesReceived { get; private set; }

    /// <summary>Bytes of staging buffer this reader holds now (0 while it waits on a drained source).</summary>
    internal int StagingBytesHeld => _staging.Length;

    /// <summary>Zero-byte waits so far: how often the reader gave its staging buffer back before waiting.</summary>
    internal long IdleWaits { get; private set; }

    /// <summary>
    /// What to do when the budget closes this reader to make room (abort its connection, so that the pending read
    /// returns at once).
    /// </summary>
    internal void SetAbort(Action abort) => _abort = abort;

    /// <summary>Reads and validates the connection's handshake.</summary>
    /// <exception cref="WireFormatException">The handshake is malformed or the stream ended first.</exception>
    public async ValueTask<Handshake> ReadHandshakeAsync(IFrameSource source, CancellationToken cancellationToken)
    {
        // A peer that connects and says nothing holds no buffer while it waits.
        if (_staging.Length == 0)
            await source.ReceiveAsync(Memory<byte>.Empty, cancellationToken);
        while (_end - _start < Handshake.Size)
        {
            if (!await FillAsync(source, cancellationToken))
                throw new WireFormatException(WireError.Truncated);
        }

        var error = Handshake.TryRead(_staging.AsSpan(_start, _end - _start), out var handshake);
        if (error != WireError.None)
            throw new WireFormatException(error);
        _start += Handshake.Size;
        return handshake;
    }

    /// <summary>Reads exactly <paramref name="destination"/>.Length raw bytes (authentication nonces and proofs).</summary>
    /// <exception cref="WireFormatException">The stream ended first.</exception>
    public async ValueTask ReadExactAsync(IFrameSource source, Memory<byte> destination, CancellationToken cancellationToken)
    {
        while (_end - _start < destination.Length)
        {
            if (!await FillAsync(source, cancellationToken))
                throw new WireFormatException(WireError.Truncated);
        }

        _staging.AsSpan(_start, destination.Length).CopyTo(destination.Span);
        _start += destination.Length;
    }

    /// <summary>
    /// Decodes frames into <paramref name="sink"/> until the peer closes the stream at a frame boundary.
    /// </summary>
    /// <exception cref="WireFormatException">A frame is malformed or the stream ended inside one.</exception>
    /// <remarks>
    /// Every wait for the socket is awaited in <see cref="DecodeAsync"/> itself rather than in helpers: that
    /// long-lived state machine (and this one, which awaits it once) is boxed once, while each suspension of a pooled
    /// helper takes a box from a small per-core cache, which the many links of a process overflow — then every wait
    /// allocated.
    /// </remarks>
    public async Task RunAsync(IFrameSource source, IFrameSink sink, CancellationToken cancellationToken)
    {
        _framing = true;
        try
        {
            await DecodeAsync(source, sink, cancellationToken);
        }
        catch (Exception ex) when (Volatile.Read(ref _evicted) != 0 && ex is not WireFormatException)
        {
            // The budget aborted this connection to make room: that, not the aborted read, is why the link ends.
            throw new WireFormatException(WireError.PartialMessageBudget);
        }
    }

    private async Task DecodeAsync(IFrameSource source, IFrameSink sink, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_end - _start < MessageHeader.Size)
            {
                sink.OnReceiving();
                var drained = _start == _end && !_lastFillFull;
                var waitStart = drained ? Stopwatch.GetTimestamp() : 0; // real time: see BusyWaitTicks
                if (drained && _shortWaits < BusyAfterShortWaits)
                {
                    // Drained: hold no staging memory while the peer is quiet. The zero-byte read completes when
                    // bytes (or the end of the stream) arrive and consumes nothing; the read below then sees them.
                    ReturnStaging();
                    while (true)
                    {
                        IdleWaits++;
                        var wait = source.ReceiveAsync(Memory<byte>.Empty, cancellationToken);
                        if (wait.IsCompleted)
                        {
                            // The source looked and found bytes (or the end) already there.
                            wait.GetAwaiter().GetResult();
                            break;
                        }

                        await wait;

                        // A socket's wait can end on an edge-triggered readiness event for bytes that an earlier
                        // read already took; parking the read below would then hold staging while the peer is quiet.
                        if (source.IsReadable())
                            break;
                    }
                }

                var read = await source.ReceiveAsync(PrepareFill(sink.ReadLimit), cancellationToken);
                if (drained)
                {
                    // Tiny frames at a high rate drain the socket on almost every read: giving the buffer back and
                    // waiting with zero bytes each time cost them 15-20 % of their throughput. A wait that was
                    // long makes the link idle again, so the buffer goes back at its next drained wait (real time: see BusyWaitTicks).
                    _shortWaits = Stopwatch.GetTimestamp() - waitStart <= BusyWaitTicks ? Math.Min(_shortWaits + 1, BusyAfterShortWaits) : 0;
                }

                if (!CompleteFill(read))
                {
                    if (_end == _start)
                        return;
                    throw new WireFormatException(WireError.Truncated);
                }

                continue;
            }

            var error = MessageHeader.TryRead(_staging.AsSpan(_start, MessageHeader.Size), _maxPayloadLength, out var header);
            if (error != WireError.None)
                throw new WireFormatException(error);
            _start += MessageHeader.Size;

            // A payload that must wait for more reads holds its message buffer until it is complete: reserve it.
            if (_budget is not null && _end - _start < header.PayloadLength)
                Reserve(MessageHeader.Size + header.PayloadLength);
            var message = _pool.Rent(header.PayloadLength);
            try
            {
                message.Type = header.Type;
                message.Sender = header.Sender;
                message.ApplicationId = header.ApplicationId;
                message.SequenceNumber = header.SequenceNumber;
                var length = message.PayloadLength;
                var filled = CopyStaged(message.Buffer.AsSpan(MessageHeader.Size, length));
                while (filled < length)
                {
                    // Before every wait for more of a payload, not only the first: a large frame trickling in slower
                    // than the silence limit is a peer being heard, read after read, not a silent one.
                    sink.OnReceiving();
                    var remaining = length - filled;
                    if (remaining >= DirectReadThreshold)
                    {
                        // Large enough to skip the staging buffer: straight into the message.
                        var read = await source.ReceiveAsync(
                            message.Buffer.AsMemory(MessageHeader.Size + filled, Math.Min(remaining, sink.ReadLimit)), cancellationToken);
                        if (read == 0)
                            throw new WireFormatException(WireError.Truncated);
                        BytesReceived += read;
                        filled += read;
                        Volatile.Write(ref _partialFilled, filled);

                        // A read sized to one message says nothing about what else is waiting: let the next read
                        // at a frame boundary wait without staging (one extra system call per large message).
                        _lastFillFull = false;
                    }
                    else
                    {
                        if (!CompleteFill(await source.ReceiveAsync(PrepareFill(sink.ReadLimit), cancellationToken)))
                            throw new WireFormatException(WireError.Truncated);
                        filled += CopyStaged(message.Buffer.AsSpan(MessageHeader.Size + filled, remaining));
                        Volatile.Write(ref _partialFilled, filled);
                    }
                }

                ReleaseReservation();
            }
            catch
            {
                ReleaseReservation();
                message.Release();
                throw;
            }

            await sink.OnMessageAsync(message);
        }
    }

    public void Dispose()
    {
        _disposed = true;
        ReturnStaging();
        ReleaseReservation();
        _budget?.Unregister(this);
    }

    /// <summary>
    /// For the budget: whether this reader holds a partly received message, since when, and how fast its payload
    /// arrived (bytes per second since the reservation).
    /// </summary>
    internal bool TryGetPartial(long now, out double rate, out long since)
    {
        // Reserve publishes _reservedAt (and _partialFilled) before _reserved, so read in the opposite order: once
        // a reservation is seen, the timestamp read after it is at least as new as that reservation's. Reading the
        // timestamp first could pair an earlier message's time with a new reservation and understate its rate.
        since = 0;
        rate = 0;
        if (Volatile.Read(ref _reserved) == 0 || Volatile.Read(ref _evicted) != 0)
            return false;
        since = Volatile.Read(ref _reservedAt);
        var frequency = _budget!.TimeProvider.TimestampFrequency;
        var seconds = Math.Max(now - since, frequency / 1000) / (double)frequency;
        rate = Volatile.Read(ref _partialFilled) / seconds;
        return true;
    }

    /// <summary>For the budget: gives back this reader's reservation and aborts its connection; false when it had none.</summary>
    internal bool Evict()
    {
        var reserved = Interlocked.Exchange(ref _reserved, 0);
        if (reserved == 0)
            return false;
        Volatile.Write(ref _evicted, 1);
        _budget!.Release(reserved);
        _abort?.Invoke();
        return true;
    }

    private void Reserve(int bytes)
    {
        if (!_budget!.TryReserve(this, bytes))
        {
            Volatile.Write(ref _evicted, 1);
            throw new WireFormatException(WireError.PartialMessageBudget);
        }

        // Visible to other readers' evictions only now that it counts in the total. What is staged already is
        // the payload's first bytes.
        Volatile.Write(ref _partialFilled, _end - _start);
        Volatile.Write(ref _reservedAt, _budget!.TimeProvider.GetTimestamp());
        Volatile.Write(ref _reserved, bytes);
    }

    private void ReleaseReservation()
    {
        // Whoever takes the reservation out (this reader or an eviction) gives it back, exactly once.
        if (Volatile.Read(ref _reserved) == 0)
            return;
        var reserved = Interlocked.Exchange(ref _reserved, 0);
        if (reserved != 0)
            _budget!.Release(reserved);
    }

    private void ReturnStaging()
    {
        var staging = _staging;
        _staging = [];
        _start = 0;
        _end = 0;
        if (staging.Length > 0)
        {
            _budget?.AddStaging(-staging.Length);
            ArrayPool<byte>.Shared.Return(staging);
        }
    }

    private void RentStaging(int size)
    {
        _staging = ArrayPool<byte>.Shared.Rent(size);
        _budget?.AddStaging(_staging.Length);
    }

    /// <summary>Moves what the handshake's small buffer still holds into a full-size staging buffer.</summary>
    private void GrowStaging()
    {
        var small = _staging;
        var pending = _end - _start;
        RentStaging(StagingSize);
        small.AsSpan(_start, pending).CopyTo(_staging);
        _start = 0;
        _end = pending;
        _budget?.AddStaging(-small.Length);
        ArrayPool<byte>.Shared.Return(small);
    }

    private int CopyStaged(Span<byte> destination)
    {
        var count = Math.Min(destination.Length, _end - _start);
        _staging.AsSpan(_start, count).CopyTo(destination);
        _start += count;
        return count;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> FillAsync(IFrameSource source, CancellationToken cancellationToken) =>
        CompleteFill(await source.ReceiveAsync(PrepareFill(int.MaxValue), cancellationToken));

    /// <summary>Makes room at the end of the staging buffer and returns it (at most <paramref name="limit"/> bytes) for the next read.</summary>
    private Memory<byte> PrepareFill(int limit)
    {
        if (_staging.Length == 0)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            RentStaging(_framing ? StagingSize : HandshakeStagingSize);
        }
        else if (_framing && _staging.Length < StagingSize)
        {
            GrowStaging();
        }

        if (_start == _end)
        {
            _start = 0;
            _end = 0;
        }
        else if (_end == _staging.Length)
        {
            // Keep the partial header/handshake, make room behind it.
            var pending = _end - _start;
            _staging.AsSpan(_start, pending).CopyTo(_staging);
            _start = 0;
            _end = pending;
        }

        var room = _staging.Length - _end;
        _fillRequested = Math.Min(room, Math.Max(limit, 1));
        return _staging.AsMemory(_end, _fillRequested);
    }

    /// <summary>Accounts for a read into the staging buffer; false when the stream ended.</summary>
    private bool CompleteFill(int read)
    {
        if (read == 0)
            return false;
        BytesReceived += read;
        _end += read;
        // A read that took all it was offered (the buffer's end, or a paced sink's slice) may have left more waiting.
        _lastFillFull = read == _fillRequested;
        return true;
    }
}
