namespace Overlay.TestPeer;

/// <summary>Sends this node's own data to the target, consumes everything else.</summary>
internal sealed class Forwarder(NodeId? target) : Algorithm
{
    public override Disposition Process(Message message)
    {
        if (message.Type != MessageTypes.Data || message.From != Self || target is not { } destination)
            return base.Process(message);
        Send(message, destination);
        return Disposition.Forwarded;
    }
}
