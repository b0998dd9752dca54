using Overlay.Wire;

namespace Overlay;

/// <summary>A thread-safe snapshot of a node's links and counters, from <see cref="OverlayNode.GetStatistics"/>.</summary>
/// <param name="Node">The node's identity.</param>
/// <param name="Upstreams">Links peers opened to this node.</param>
/// <param name="Downstreams">Links this node opened to peers.</param>
/// <param name="MessagesLost">Messages released unsent because their link failed or closed.</param>
/// <param name="BytesLost">Frame bytes of those messages.</param>
/// <param name="MessagesProcessed">Messages given to the algorithm's <see cref="Algorithm.Process"/>.</param>
/// <param name="RejectedConnections">Connections refused before they became links, by reason.</param>
/// <param name="LinksClosedByError">Established links closed because the peer sent malformed frames, by reason.</param>
public sealed record NodeStatistics(
    NodeId Node,
    IReadOnlyList<LinkStatistics> Upstreams,
    IReadOnlyList<LinkStatistics> Downstreams,
    long MessagesLost,
    long BytesLost,
    long MessagesProcessed,
    IReadOnlyDictionary<WireError, long> RejectedConnections,
    IReadOnlyDictionary<WireError, long> LinksClosedByError)
{
    /// <summary>The link this node has from or to <paramref name="peer"/> in <paramref name="direction"/>, if any.</summary>
    public LinkStatistics? Find(NodeId peer, LinkDirection direction)
    {
        var links = direction == LinkDirection.Upstream ? Upstreams : Downstreams;
        foreach (var link in links)
        {
            if (link.Peer == peer)
                return link;
        }

        return null;
    }
}
