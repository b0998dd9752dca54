namespace Overlay;

/// <summary>A moment's counters of one link.</summary>
/// <param name="Peer">The node at the other end.</param>
/// <param name="Direction">Whether the peer sends to this node or this node to the peer.</param>
/// <param name="Messages">Messages carried since the link opened.</param>
/// <param name="Bytes">Frame bytes (header plus payload) carried since the link opened.</param>
/// <param name="BufferedMessages">Messages waiting in this link's buffer on this node.</param>
/// <param name="BufferCapacity">The buffer's capacity in messages.</param>
/// <param name="IsConnected">False while a downstream link is still connecting.</param>
/// <param name="BytesPerSecond">Frame bytes per second over the last measurement interval.</param>
/// <param name="MessagesPerSecond">Messages per second over the last measurement interval.</param>
/// <param name="RoundTripTime">Last measured round-trip time (downstream links); null before the first probe returns.</param>
/// <param name="EmulatedLoss">Messages dropped by emulated loss on this link (downstream links).</param>
public sealed record LinkStatistics(
    NodeId Peer,
    LinkDirection Direction,
    long Messages,
    long Bytes,
    int BufferedMessages,
    int BufferCapacity,
    bool IsConnected,
    double BytesPerSecond,
    double MessagesPerSecond,
    TimeSpan? RoundTripTime,
    long EmulatedLoss);
