using Microsoft.Extensions.Logging;

namespace Overlay.Algorithms.Coding;

/// <summary>
/// Network coding on the butterfly network (the paper's section 3.2, Fig. 8): the source splits its stream in two,
/// the coder sends the XOR of one message of each stream, and each decoder recovers the stream it does not receive
/// directly from the coded one and the one it does.
/// </summary>
/// <remarks>
/// <para>Streams and pairs follow the sequence numbers of the source: stream a is the even messages, stream b the
/// odd ones, and messages <c>2k</c> and <c>2k + 1</c> form pair <c>k</c>. A coded message
/// (<see cref="CodingMessageTypes.ButterflyCoded"/>, sequence number <c>k</c>) carries a 16-byte header — first
/// sequence, first length, second sequence, second length, little-endian int32 — then the XOR of the two payloads,
/// the shorter zero-padded.</para>
/// <para>With <see cref="Coding"/> off the same roles give the paper's baseline: the coder forwards both streams and
/// decoders take what arrives.</para>
/// <para>Configure <see cref="Downstreams"/> before data flows (or on the node's loop). The counters may be read
/// from any thread.</para>
/// </remarks>
public sealed partial class ButterflyCodingAlgorithm : Algorithm
{
    private readonly SeenSequences _seen = new();
    private readonly PairWindow _pairs;
    private long _receivedMessages;
    private long _receivedBytes;
    private long _decodedMessages;
    private long _missingMessages;
    private long _codedMessages;
    private long _malformedMessages;

    /// <summary>Creates the algorithm for one node.</summary>
    /// <param name="role">What this node does.</param>
    /// <param name="coding">True for network coding at the coder and decoders; false for the forwarding baseline.</param>
    /// <param name="pairWindow">Pairs a coder or decoder holds at most while waiting for partners (a power of two);
    /// older incomplete pairs are given up. Defaults to 256.</param>
    public ButterflyCodingAlgorithm(ButterflyRole role, bool coding = true, int pairWindow = 256)
    {
        if (!Enum.IsDefined(role))
            throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown butterfly role.");
        Role = role;
        Coding = coding;
        _pairs = new PairWindow(pairWindow, role == ButterflyRole.Decoder ? DeliverEvicted : DropEvicted);
    }

    /// <summary>What this node does.</summary>
    public ButterflyRole Role { get; }

    /// <summary>True when the coder codes and decoders decode; false for the forwarding baseline.</summary>
    public bool Coding { get; }

    /// <summary>
    /// Where this node sends. A source needs exactly two: stream a goes to the first, stream b to the second.
    /// Touch it only before data flows or on the node's loop.
    /// </summary>
    public IList<NodeId> Downstreams { get; } = new List<NodeId>();

    /// <summary>
    /// Called on the node's loop with every distinct stream message this node obtains, received or decoded; a
    /// coding decoder calls it in sequence order. The message is valid only during the call.
    /// </summary>
    public Action<Message>? Consumer { get; set; }

    /// <summary>Distinct stream messages this node obtained (received directly or decoded); coded ones at a relay count too.</summary>
    public long ReceivedMessages => Interlocked.Read(ref _receivedMessages);

    /// <summary>Payload bytes of <see cref="ReceivedMessages"/>: the node's useful received throughput, summed.</summary>
    public long ReceivedBytes => Interlocked.Read(ref _receivedBytes);

    /// <summary>Stream messages a decoder recovered from a coded message.</summary>
    public long DecodedMessages => Interlocked.Read(ref _decodedMessages);

    /// <summary>Stream messages a coding decoder gave up on (their pair fell out of the window incomplete).</summary>
    public long MissingMessages => Interlocked.Read(ref _missingMessages);

    /// <summary>Coded messages a coder sent (one per pair, to all its downstreams).</summary>
    public long CodedMessages => Interlocked.Read(ref _codedMessages);

    /// <summary>Coded messages dropped because their header did not describe a pair that fits the payload.</summary>
    public long MalformedMessages => Interlocked.Read(ref _malformedMessages);

    /// <inheritdoc/>
    public override Disposition Process(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        switch (message.Type)
        {
            case MessageTypes.Data:
                return OnStreamMessage(message);
            case CodingMessageTypes.ButterflyCoded:
                return OnCodedMessage(message);
            default:
                return base.Process(message);
        }
    }

    /// <inheritdoc/>
    protected override void OnStop() => _pairs.ReleaseAll();

    /// <summary>A downstream that broke is no longer sent to (a source keeps its two slots so the split stays put).</summary>
    protected override void OnBrokenDownstream(NodeId peer)
    {
        base.OnBrokenDownstream(peer);
        if (Role != ButterflyRole.Source)
            Downstreams.Remove(peer);
    }

    /// <inheritdoc/>
    protected override void OnSendFailed(NodeId peer)
    {
        base.OnSendFailed(peer);
        if (Role != ButterflyRole.Source)
            Downstreams.Remove(peer);
    }

    private Disposition OnStreamMessage(Message message)
    {
        if (message.From == Self)
            return Role == ButterflyRole.Source ? Split(message) : Disposition.Consumed;
        var fresh = _seen.Add(message.SequenceNumber);
        if (fresh)
            Count(message.PayloadLength);
        switch (Role)
        {
            case ButterflyRole.Coder when Coding:
                return HoldForPair(message);
            case ButterflyRole.Decoder when Coding:
                return fresh ? HoldForDecoding(message) : Disposition.Consumed;
            default:
                if (fresh)
                    Consumer?.Invoke(message);
                return ForwardToAll(message);
        }
    }

    private Disposition OnCodedMessage(Message message)
    {
        if (!ButterflyCodedHeader.TryRead(message.Payload, out var header))
        {
            Interlocked.Increment(ref _malformedMessages);
            LogMalformed(Logger, message.From, message.PayloadLength);
            return Disposition.Consumed;
        }

        if (Role == ButterflyRole.Decoder && Coding)
            return Decode(message, header);
        Count(message.PayloadLength);
        return ForwardToAll(message);
    }

    private Disposition Split(Message message)
    {
        if (Downstreams.Count != 2)
            throw new InvalidOperationException($"A butterfly source splits over two downstreams; it has {Downstreams.Count}.");
        Send(message, Downstreams[message.SequenceNumber & 1]);
        return Disposition.Forwarded;
    }

    private Disposition ForwardToAll(Message message)
    {
        for (var i = 0; i < Downstreams.Count; i++)
            Send(message, Downstreams[i]);
        return Downstreams.Count > 0 ? Disposition.Forwarded : Disposition.Consumed;
    }

    // Coder: keep each message until its partner is here, then send their XOR and let both go.
    private Disposition HoldForPair(Message message)
    {
        var pair = message.SequenceNumber >> 1;
        if (!_pairs.Admit(pair))
            return Disposition.Consumed;
        ref var slot = ref _pairs[pair];
        ref var member = ref (message.SequenceNumber & 1) == 0 ? ref slot.First : ref slot.Second;
        if (member is not null)
            return Disposition.Consumed;
        member = message;
        if (!slot.IsComplete)
            return Disposition.Hold;

        var first = slot.First!;
        var second = slot.Second!;
        var header = new ButterflyCodedHeader(first.SequenceNumber, first.PayloadLength, second.SequenceNumber, second.PayloadLength);
        var coded = CreateMessage(CodingMessageTypes.ButterflyCoded, message.ApplicationId, ButterflyCodedHeader.Size + header.CodedLength);
        coded.SequenceNumber = pair;
        var payload = coded.Payload;
        header.Write(payload);
        var body = payload[ButterflyCodedHeader.Size..];
        first.Payload.CopyTo(body);
        body[first.PayloadLength..].Clear();
        GaloisField.Add(second.Payload, body[..second.PayloadLength]);
        for (var i = 0; i < Downstreams.Count; i++)
            Send(coded, Downstreams[i]);
        Interlocked.Increment(ref _codedMessages);

        // Both partners go now; the window moves past every pair that is done, so late copies count as too old.
        slot.Release();
        while (_pairs.Base <= pair && _pairs[_pairs.Base].IsEmpty)
            _pairs.Advance();
        return Disposition.Hold;
    }

    // Decoder: a stream message received directly, kept for in-order delivery and to decode its partner.
    private Disposition HoldForDecoding(Message message)
    {
        var pair = message.SequenceNumber >> 1;
        if (!_pairs.Admit(pair))
        {
            // Its pair was already given up on; deliver it anyway rather than lose it.
            Consumer?.Invoke(message);
            return Disposition.Consumed;
        }

        ref var slot = ref _pairs[pair];
        if ((message.SequenceNumber & 1) == 0)
            slot.First = message;
        else
            slot.Second = message;
        if (slot.Coded is { } coded && ButterflyCodedHeader.TryRead(coded.Payload, out var header))
        {
            slot.Coded = null;
            Recover(ref slot, coded, header);
            coded.Release();
        }

        DeliverInOrder();
        return Disposition.Hold;
    }

    private Disposition Decode(Message coded, ButterflyCodedHeader header)
    {
        var pair = header.FirstSequence >> 1;
        if (!_pairs.Admit(pair))
            return Disposition.Consumed;
        ref var slot = ref _pairs[pair];
        if (slot.IsComplete || slot.Coded is not null)
            return Disposition.Consumed;
        if (slot.First is null && slot.Second is null)
        {
            // The direct message is still on its way: keep the coded one until it comes.
            slot.Coded = coded;
            return Disposition.Hold;
        }

        Recover(ref slot, coded, header);
        DeliverInOrder();
        return Disposition.Consumed;
    }

    // Exactly one of the pair is in the slot: the other is the coded bytes XOR the one we have.
    private void Recover(ref PairSlot slot, Message coded, ButterflyCodedHeader header)
    {
        var have = slot.First ?? slot.Second!;
        var missingFirst = slot.First is null;
        var sequence = missingFirst ? header.FirstSequence : header.SecondSequence;
        var length = missingFirst ? header.FirstLength : header.SecondLength;
        var haveLength = missingFirst ? header.SecondLength : header.FirstLength;
        if (have.PayloadLength != haveLength || have.SequenceNumber != (missingFirst ? header.SecondSequence : header.FirstSequence))
        {
            Interlocked.Increment(ref _malformedMessages);
            LogMalformed(Logger, coded.From, coded.PayloadLength);
            return;
        }

        var recovered = CreateMessage(MessageTypes.Data, coded.ApplicationId, length).Retain();
        recovered.Sender = have.Sender;
        recovered.SequenceNumber = sequence;
        var payload = recovered.Payload;
        coded.Payload.Slice(ButterflyCodedHeader.Size, length).CopyTo(payload);
        var overlap = Math.Min(length, haveLength);
        GaloisField.Add(have.Payload[..overlap], payload[..overlap]);
        if (missingFirst)
            slot.First = recovered;
        else
            slot.Second = recovered;
        _seen.Add(sequence);
        Interlocked.Increment(ref _decodedMessages);
        Count(length);
    }

    private void DeliverInOrder()
    {
        while (true)
        {
            ref var slot = ref _pairs[_pairs.Base];
            if (!slot.IsComplete)
                return;
            Consumer?.Invoke(slot.First!);
            Consumer?.Invoke(slot.Second!);
            slot.Release();
            _pairs.Advance();
        }
    }

    // A decoder's pair fell out of the window: deliver what it has of it, in order, and count the rest missing.
    private void DeliverEvicted(int pair, ref PairSlot slot)
    {
        var missing = 2;
        if (slot.First is { } first)
        {
            Consumer?.Invoke(first);
            missing--;
        }

        if (slot.Second is { } second)
        {
            Consumer?.Invoke(second);
            missing--;
        }

        Interlocked.Add(ref _missingMessages, missing);
    }

    private void DropEvicted(int pair, ref PairSlot slot)
    {
    }

    private void Count(int payloadLength)
    {
        Interlocked.Increment(ref _receivedMessages);
        Interlocked.Add(ref _receivedBytes, payloadLength);
    }

    [LoggerMessage(EventId = 5002, EventName = "ButterflyMalformed", Level = LogLevel.Warning, Message = "Dropped a malformed butterfly-coded message from {Peer} ({Length} bytes)")]
    private static partial void LogMalformed(ILogger logger, NodeId peer, int length);
}
