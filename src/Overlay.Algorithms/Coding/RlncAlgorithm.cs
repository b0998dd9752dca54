using Microsoft.Extensions.Logging;

namespace Overlay.Algorithms.Coding;

/// <summary>
/// Generation-based random linear network coding over GF(2^8) on any directed acyclic overlay: the source cuts its
/// stream into generations of g messages and sends random combinations of each (g + redundancy per downstream,
/// starting as the generation fills); relays send random combinations of
/// what they hold (recoding) without waiting to decode; receivers decode by Gaussian elimination as soon as they
/// hold g independent packets.
/// </summary>
/// <remarks>
/// <para>Packets are <see cref="CodingMessageTypes.RlncCoded"/> messages whose sequence number is the generation id and
/// whose payload is an <see cref="RlncPacketHeader"/> followed by g coefficient bytes and the coded symbol. Source
/// message <c>s</c> is packet <c>s mod g</c> of generation <c>s / g</c>, so a receiver restores the source's
/// sequence numbers.</para>
/// <para>Each node sends, per downstream, one recoded packet for every innovative packet it receives, and
/// <see cref="RlncOptions.Redundancy"/> more once it reaches full rank: a downstream gets as much rank as the node has,
/// over whichever upstreams still work, so the loss of a link only matters where it cuts the rank below g.</para>
/// <para>Memory is bounded by <see cref="RlncOptions.GenerationWindow"/> decoders of g × (g + symbol) bytes.
/// Configure <see cref="Downstreams"/> before data flows (or on the node's loop); counters may be read from any
/// thread.</para>
/// </remarks>
public sealed partial class RlncAlgorithm : Algorithm
{
    private readonly RlncOptions _options;
    private readonly Random _random;
    private readonly RlncGenerationSlot[] _generations;
    private RlncEncoder? _encoder;
    private int _encoderGeneration = -1;
    private long _innovativePackets;
    private long _redundantPackets;
    private long _malformedPackets;
    private long _sentPackets;
    private long _generationsDecoded;
    private long _generationsDropped;
    private long _lastDecodedGeneration = -1;

    /// <summary>Creates the algorithm for one node.</summary>
    /// <param name="role">What this node does.</param>
    /// <param name="options">How to code; copied. Null for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public RlncAlgorithm(RlncRole role, RlncOptions? options = null)
    {
        if (!Enum.IsDefined(role))
            throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown RLNC role.");
        _options = (options ?? new RlncOptions()).Copy();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.GenerationSize, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(_options.GenerationSize, RlncPacketHeader.MaxGenerationSize, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(_options.Redundancy, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.GenerationWindow, 1, nameof(options));
        Role = role;
        _random = _options.Seed is { } seed ? new Random(seed) : new Random();
        _generations = new RlncGenerationSlot[_options.GenerationWindow];
        for (var i = 0; i < _generations.Length; i++)
            _generations[i].Generation = -1;
    }

    /// <summary>What this node does.</summary>
    public RlncRole Role { get; }

    /// <summary>Where this node sends coded packets. Touch it only before data flows or on the node's loop.</summary>
    public IList<NodeId> Downstreams { get; } = new List<NodeId>();

    /// <summary>
    /// Called on a receiver's loop with each decoded source message (type <see cref="MessageTypes.Data"/>, the source's
    /// sequence number), a generation at a time and in order within it. The message is valid only during the call.
    /// </summary>
    public Action<Message>? Consumer { get; set; }

    /// <summary>Packets that raised this node's rank for their generation.</summary>
    public long InnovativePackets => Interlocked.Read(ref _innovativePackets);

    /// <summary>Packets that were combinations of what this node already held, dropped.</summary>
    public long RedundantPackets => Interlocked.Read(ref _redundantPackets);

    /// <summary>Packets dropped because their header was malformed or disagreed with this node's generation size.</summary>
    public long MalformedPackets => Interlocked.Read(ref _malformedPackets);

    /// <summary>Coded packets this node sent, over all downstreams.</summary>
    public long SentPackets => Interlocked.Read(ref _sentPackets);

    /// <summary>Generations a receiver decoded and delivered.</summary>
    public long GenerationsDecoded => Interlocked.Read(ref _generationsDecoded);

    /// <summary>Generations this node gave up on below full rank, evicted by newer ones.</summary>
    public long GenerationsDropped => Interlocked.Read(ref _generationsDropped);

    /// <summary>The id of the last generation a receiver decoded; −1 before the first.</summary>
    public long LastDecodedGeneration => Interlocked.Read(ref _lastDecodedGeneration);

    /// <inheritdoc/>
    public override Disposition Process(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        switch (message.Type)
        {
            case MessageTypes.Data when Role == RlncRole.Source && message.From == Self:
                Encode(message);
                return Disposition.Consumed;
            case CodingMessageTypes.RlncCoded:
                Receive(message);
                return Disposition.Consumed;
            default:
                return base.Process(message);
        }
    }

    /// <inheritdoc/>
    protected override void OnBrokenDownstream(NodeId peer)
    {
        base.OnBrokenDownstream(peer);
        Downstreams.Remove(peer);
    }

    /// <inheritdoc/>
    protected override void OnSendFailed(NodeId peer)
    {
        base.OnSendFailed(peer);
        Downstreams.Remove(peer);
    }

    // Source: add each message to the generation and send every downstream a random combination of the messages so
    // far, plus the redundancy once the generation is whole. Sending as the generation fills keeps the pipeline busy
    // (and the engine does not pause a source whose message led to sends).
    private void Encode(Message message)
    {
        var g = _options.GenerationSize;
        var generation = message.SequenceNumber / g;
        var index = message.SequenceNumber % g;
        if (_encoder is null || _encoder.SymbolLength != message.PayloadLength)
            _encoder = new RlncEncoder(g, message.PayloadLength);
        if (index == 0)
        {
            _encoder.Reset();
            _encoderGeneration = generation;
        }

        if (generation != _encoderGeneration || _encoder.Count != index)
        {
            // A gap in the source's numbering: this generation cannot be completed.
            _encoderGeneration = -1;
            return;
        }

        _encoder.Add(message.Payload);
        var header = new RlncPacketHeader(generation, g);
        var packets = _encoder.IsFull ? 1 + _options.Redundancy : 1;
        for (var d = 0; d < Downstreams.Count; d++)
        {
            for (var k = 0; k < packets; k++)
            {
                var packet = NewPacket(header, message.ApplicationId, _encoder.SymbolLength);
                _encoder.Encode(packet.Payload[RlncPacketHeader.FixedSize..], _random);
                SendPacket(packet, Downstreams[d]);
            }
        }
    }

    private void Receive(Message message)
    {
        var g = _options.GenerationSize;
        if (!RlncPacketHeader.TryRead(message.Payload, out var header) || header.GenerationSize != g)
        {
            Interlocked.Increment(ref _malformedPackets);
            LogMalformed(Logger, message.From, message.PayloadLength, g);
            return;
        }

        ref var slot = ref _generations[header.Generation % _generations.Length];
        if (header.Generation < slot.Generation)
            return; // older than every generation held: already done or given up on
        var symbolLength = message.PayloadLength - header.Length;
        if (header.Generation > slot.Generation)
        {
            if (slot.Generation >= 0 && slot.Decoder is { IsComplete: false })
                Interlocked.Increment(ref _generationsDropped);
            slot.Generation = header.Generation;
            slot.Delivered = false;
            slot.Decoder?.Reset();
        }

        if (slot.Decoder is null || slot.Decoder.SymbolLength != symbolLength)
            slot.Decoder = new RlncDecoder(g, symbolLength);
        var decoder = slot.Decoder;
        if (!decoder.Add(message.Payload[RlncPacketHeader.FixedSize..]))
        {
            Interlocked.Increment(ref _redundantPackets);
            return;
        }

        Interlocked.Increment(ref _innovativePackets);
        var extra = decoder.IsComplete ? _options.Redundancy : 0;
        for (var d = 0; d < Downstreams.Count; d++)
        {
            for (var k = 0; k <= extra; k++)
            {
                var packet = NewPacket(header, message.ApplicationId, symbolLength);
                decoder.Recode(packet.Payload[RlncPacketHeader.FixedSize..], _random);
                SendPacket(packet, Downstreams[d]);
            }
        }

        if (decoder.IsComplete && Role == RlncRole.Receiver && !slot.Delivered)
        {
            slot.Delivered = true;
            Deliver(decoder, header.Generation, message.ApplicationId);
        }
    }

    private void Deliver(RlncDecoder decoder, int generation, int applicationId)
    {
        if (Consumer is { } consumer)
        {
            for (var i = 0; i < decoder.GenerationSize; i++)
            {
                var decoded = CreateMessage(MessageTypes.Data, applicationId, decoder.SymbolLength);
                decoded.SequenceNumber = (generation * decoder.GenerationSize) + i;
                decoder.GetPacket(i).CopyTo(decoded.Payload);
                consumer(decoded);
            }
        }

        Interlocked.Increment(ref _generationsDecoded);
        Interlocked.Exchange(ref _lastDecodedGeneration, generation);
    }

    private Message NewPacket(RlncPacketHeader header, int applicationId, int symbolLength)
    {
        var packet = CreateMessage(CodingMessageTypes.RlncCoded, applicationId, header.PayloadLength(symbolLength));
        packet.SequenceNumber = header.Generation;
        header.Write(packet.Payload);
        return packet;
    }

    private void SendPacket(Message packet, NodeId destination)
    {
        Send(packet, destination);
        Interlocked.Increment(ref _sentPackets);
    }

    [LoggerMessage(EventId = 5001, EventName = "RlncMalformed", Level = LogLevel.Warning, Message = "Dropped a malformed RLNC packet from {Peer} ({Length} bytes; this node codes generations of {GenerationSize})")]
    private static partial void LogMalformed(ILogger logger, NodeId peer, int length, int generationSize);
}
