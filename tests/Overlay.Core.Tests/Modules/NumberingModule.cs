using System.Buffers.Binary;
using System.Collections.Concurrent;
using Overlay.Modules;

namespace Overlay.Core.Tests.Modules;

/// <summary>
/// A toy session layer between routing and the application: it wraps what the layer above sends in a
/// <see cref="Numbered"/> message (original type, a per-destination number) and, at the receiver, records the number
/// and delivers the original message up.
/// </summary>
internal sealed class NumberingModule : ProtocolModule
{
    public const int Numbered = 700;

    private const int HeaderLength = 8; // the upper layer's type (4), the number (4)

    private readonly Dictionary<NodeId, int> _next = [];

    public NumberingModule()
        : base(MessageTypeRange.Single(Numbered))
    {
    }

    /// <summary>The numbers received, in order of arrival.</summary>
    public ConcurrentQueue<int> Received { get; } = new();

    public override Disposition Process(Message message)
    {
        if (message.Type != Numbered)
            return base.Process(message);
        var payload = message.Payload;
        Received.Enqueue(BinaryPrimitives.ReadInt32BigEndian(payload[4..]));
        var inner = CreateMessage(BinaryPrimitives.ReadInt32BigEndian(payload), message.ApplicationId, payload.Length - HeaderLength);
        inner.Sender = message.Sender;
        inner.SequenceNumber = message.SequenceNumber;
        payload[HeaderLength..].CopyTo(inner.Payload);
        DeliverUp(inner);
        return Disposition.Consumed;
    }

    protected override void OnSendFromAbove(Message message, NodeId destination)
    {
        var number = _next.GetValueOrDefault(destination);
        _next[destination] = number + 1;
        var wrapped = CreateMessage(Numbered, message.ApplicationId, HeaderLength + message.PayloadLength);
        wrapped.Sender = message.Sender;
        wrapped.SequenceNumber = message.SequenceNumber;
        BinaryPrimitives.WriteInt32BigEndian(wrapped.Payload, message.Type);
        BinaryPrimitives.WriteInt32BigEndian(wrapped.Payload[4..], number);
        message.Payload.CopyTo(wrapped.Payload[HeaderLength..]);
        Send(wrapped, destination);
    }
}
