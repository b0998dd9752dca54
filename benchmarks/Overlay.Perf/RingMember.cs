namespace Overlay.Perf;

/// <summary>
/// A node of the footprint ring: its own source's messages go to the next node, messages from the previous node
/// are counted and dropped. So every node has exactly one outbound and one inbound link, both carrying traffic.
/// </summary>
internal sealed class RingMember : Algorithm
{
    private NodeId _next;
    private long _delivered;
    private long _linkFailures;

    /// <summary>Where this node's own messages go. Set once every node has started, before the sources.</summary>
    public NodeId Next
    {
        get => _next;
        set => _next = value;
    }

    /// <summary>Messages that arrived from the previous node. Written on the node's loop only.</summary>
    public long Delivered => Volatile.Read(ref _delivered);

    /// <summary>Links of this node that broke or could not connect.</summary>
    public long LinkFailures => Volatile.Read(ref _linkFailures);

    public override Disposition Process(Message message)
    {
        if (message.Type != MessageTypes.Data)
            return base.Process(message);
        if (message.Sender == Self)
        {
            Send(message, _next);
            return Disposition.Forwarded;
        }

        Volatile.Write(ref _delivered, _delivered + 1);
        return Disposition.Consumed;
    }

    protected override void OnBrokenUpstream(NodeId peer) => CountFailure();

    protected override void OnBrokenDownstream(NodeId peer) => CountFailure();

    protected override void OnSendFailed(NodeId peer) => CountFailure();

    private void CountFailure() => Volatile.Write(ref _linkFailures, _linkFailures + 1);
}
