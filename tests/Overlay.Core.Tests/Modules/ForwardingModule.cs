using System.Buffers.Binary;
using Overlay.Modules;

namespace Overlay.Core.Tests.Modules;

/// <summary>
/// A toy routing layer: what an upper layer sends to a destination is wrapped in a <see cref="Carrier"/> (destination,
/// original type, payload) and sent to the next hop from a static table; a node that is not the destination sends the
/// carrier on unchanged; at the destination it is unwrapped and delivered up with its original type.
/// </summary>
internal sealed class ForwardingModule : ProtocolModule
{
    public const int Carrier = 500;

    // Destination address (4), port (2), the upper layer's type (4).
    private const int HeaderLength = 10;

    private long _wrapped;
    private long _forwarded;
    private long _delivered;

    public ForwardingModule()
        : base(MessageTypeRange.Single(Carrier))
    {
    }

    /// <summary>Destination → neighbour to send it through; a destination not listed is sent to directly. Fill before sending.</summary>
    public Dictionary<NodeId, NodeId> NextHop { get; } = [];

    public long Wrapped => Interlocked.Read(ref _wrapped);

    public long Forwarded => Interlocked.Read(ref _forwarded);

    public long Delivered => Interlocked.Read(ref _delivered);

    public override Disposition Process(Message message)
    {
        if (message.Type != Carrier)
            return base.Process(message);
        var payload = message.Payload;
        var destination = new NodeId(BinaryPrimitives.ReadUInt32BigEndian(payload), BinaryPrimitives.ReadUInt16BigEndian(payload[4..]));
        if (destination != Self)
        {
            Interlocked.Increment(ref _forwarded);
            Send(message, Next(destination));
            return Disposition.Forwarded;
        }

        var inner = CreateMessage(BinaryPrimitives.ReadInt32BigEndian(payload[6..]), message.ApplicationId, payload.Length - HeaderLength);
        inner.Sender = message.Sender;
        inner.SequenceNumber = message.SequenceNumber;
        payload[HeaderLength..].CopyTo(inner.Payload);
        Interlocked.Increment(ref _delivered);
        DeliverUp(inner);
        return Disposition.Consumed;
    }

    protected override void OnSendFromAbove(Message message, NodeId destination)
    {
        var carrier = CreateMessage(Carrier, message.ApplicationId, HeaderLength + message.PayloadLength);
        carrier.Sender = message.Sender;
        carrier.SequenceNumber = message.SequenceNumber;
        var payload = carrier.Payload;
        BinaryPrimitives.WriteUInt32BigEndian(payload, destination.Address);
        BinaryPrimitives.WriteUInt16BigEndian(payload[4..], destination.Port);
        BinaryPrimitives.WriteInt32BigEndian(payload[6..], message.Type);
        message.Payload.CopyTo(payload[HeaderLength..]);
        Interlocked.Increment(ref _wrapped);
        Send(carrier, Next(destination));
    }

    private NodeId Next(NodeId destination) => NextHop.TryGetValue(destination, out var hop) ? hop : destination;
}
