namespace Overlay.Observer;

/// <summary>One link as a node reports it to its observer.</summary>
/// <param name="Peer">The node at the other end (in JSON "a.b.c.d:port").</param>
/// <param name="Direction">Upstream (the peer sends here) or downstream.</param>
/// <param name="Applications">Applications seen on the link.</param>
/// <param name="Messages">Messages carried so far.</param>
/// <param name="Bytes">Frame bytes carried so far.</param>
/// <param name="BufferedMessages">Messages in this node's buffer for the link.</param>
/// <param name="BufferCapacity">That buffer's capacity.</param>
/// <param name="BytesPerSecond">Throughput over the last measurement interval.</param>
/// <param name="MessagesPerSecond">Messages per second over the last measurement interval.</param>
/// <param name="RoundTripMilliseconds">Last round-trip time, downstream links only.</param>
/// <param name="EmulatedLoss">Messages dropped by emulated loss.</param>
/// <param name="BandwidthLimit">Emulated limit on this direction of the link, bytes per second.</param>
public sealed record LinkStatus(
    NodeId Peer,
    LinkDirection Direction,
    IReadOnlyList<int> Applications,
    long Messages,
    long Bytes,
    int BufferedMessages,
    int BufferCapacity,
    double BytesPerSecond,
    double MessagesPerSecond,
    double? RoundTripMilliseconds,
    long EmulatedLoss,
    double? BandwidthLimit)
{
    /// <summary>
    /// The upstream weight (<see cref="OverlayNode.SetUpstreamWeight"/>) of an upstream link; null for a downstream link
    /// and from nodes that do not report it.
    /// </summary>
    public int? Weight { get; init; }
}
