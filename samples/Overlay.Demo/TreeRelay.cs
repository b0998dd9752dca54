namespace Overlay.Demo;

/// <summary>The whole algorithm of the demo: forward every data message to this node's children.</summary>
internal sealed class TreeRelay : Algorithm
{
    public List<NodeId> Children { get; } = [];

    public override Disposition Process(Message message)
    {
        if (message.Type != MessageTypes.Data)
            return base.Process(message);
        foreach (var child in Children)
            Send(message, child);
        return Disposition.Forwarded;
    }
}
