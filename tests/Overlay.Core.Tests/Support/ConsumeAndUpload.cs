namespace Overlay.Core.Tests.Support;

/// <summary>
/// The middle of a three-node chain: consumes what it receives and forwards only its own source's messages to
/// <see cref="Target"/>, so its download and upload carry separate flows.
/// </summary>
internal sealed class ConsumeAndUpload : Algorithm
{
    public NodeId Target { get; set; }

    public override Disposition Process(Message message)
    {
        if (message.Type != MessageTypes.Data || message.From != Self)
            return base.Process(message);
        Send(message, Target);
        return Disposition.Forwarded;
    }
}
