using System.Collections.Concurrent;
using System.Text;
using Overlay.Modules;

namespace Overlay.Core.Tests.Modules;

/// <summary>A toy application module: sends numbered lines of text, records the lines it receives with their type and sender.</summary>
internal sealed class ChatModule : ProtocolModule
{
    public const int Line = 900;

    public ChatModule()
        : base(MessageTypeRange.Single(Line))
    {
    }

    public ConcurrentQueue<(int Type, NodeId Sender, int Sequence, string Text)> Received { get; } = new();

    /// <summary>Sends line <paramref name="sequence"/> to <paramref name="destination"/>. On the node's loop.</summary>
    public void Say(NodeId destination, int sequence, string text)
    {
        var message = CreateMessage(Line, 1, Encoding.UTF8.GetByteCount(text));
        message.SequenceNumber = sequence;
        Encoding.UTF8.GetBytes(text, message.Payload);
        Send(message, destination);
    }

    public override Disposition Process(Message message)
    {
        if (message.Type != Line)
            return base.Process(message);
        Received.Enqueue((message.Type, message.Sender, message.SequenceNumber, Encoding.UTF8.GetString(message.Payload)));
        return Disposition.Consumed;
    }
}
