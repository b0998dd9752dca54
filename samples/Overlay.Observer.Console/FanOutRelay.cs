namespace Overlay.Observer.ConsoleSample;

/// <summary>Forwards a copy of every data message to all its children; forgets a child whose link breaks.</summary>
internal sealed class FanOutRelay : Algorithm
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

    protected override void OnBrokenDownstream(NodeId peer)
    {
        Children.Remove(peer);
        Trace($"lost child {peer}");
        base.OnBrokenDownstream(peer);
    }
}
