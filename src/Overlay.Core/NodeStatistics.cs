using Overlay.Wire;

namespace Overlay;

/// <summary>A thread-safe snapshot of a node's links and counters, from <see cref="OverlayNode.GetStatistics"/>.</summary>
/// <param name="Node">The node's identity.</param>
/// <param name="Upstreams">Links peers opened to this node.</param>
/// <param name="Downstreams">Links this node opened to peers.</param>
/// <param name="MessagesLost">Messages released unsent because their link failed or closed.</param>
/// <param name="BytesLost">Frame bytes of those messages.</param>
/// <param name="MessagesProcessed">Messages given to the algorithm's <see cref="Algorithm.Process"/>.</param>
/// <param name="RejectedConnections">
/// Accepted connections refused before their handshake completed, by reason: a malformed or foreign handshake, failed
/// authentication, <see cref="WireError.Truncated"/> (the peer closed inside the handshake),
/// <see cref="WireError.ConnectionReset"/> (a socket error), <see cref="WireError.HandshakeTimeout"/>, or
/// <see cref="WireError.TooManyHandshakes"/>. Each connection is counted once, under one reason.
/// </param>
/// <param name="LinksClosedByError">
/// Links (either direction) that this node closed, or that failed, because of what the peer sent or did not send, by
/// reason: a malformed frame (<see cref="WireError.Truncated"/> means the stream ended inside a frame), a control frame on a
/// node link (<see cref="WireError.NotAllowed"/>), silence (<see cref="WireError.Silent"/>), or the budget for partly
/// received messages (<see cref="WireError.PartialMessageBudget"/>). A downstream whose peer answered its handshake
/// wrongly is counted here too (it was this node's own connection, not an accepted one). Links that end with a plain
/// end of stream or a socket error are not counted.
/// </param>
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
    /// <summary>The listener's and the read buffers' counters: accepted, in handshake, accept back-offs, buffer bytes.</summary>
    public ConnectionStatistics Connections { get; init; } = ConnectionStatistics.Empty;

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
