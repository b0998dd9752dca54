namespace Overlay.Observer.Web.Api;

/// <summary>One directed link in a <see cref="StatusSnapshot"/>, as its sender reports it.</summary>
/// <param name="Id">"From->To" by display name, e.g. "D->E".</param>
/// <param name="From">The sender's address.</param>
/// <param name="To">The receiver's address.</param>
/// <param name="FromName">The sender's display name.</param>
/// <param name="ToName">The receiver's display name.</param>
/// <param name="Applications">Applications seen on the link.</param>
/// <param name="BytesPerSecond">Throughput over the sender's last measurement interval.</param>
/// <param name="MessagesPerSecond">Messages per second over that interval.</param>
/// <param name="BufferedMessages">Messages waiting in the sender's buffer for this link.</param>
/// <param name="BufferCapacity">That buffer's capacity.</param>
/// <param name="BandwidthLimit">Emulated limit on the link, bytes per second, or null.</param>
/// <param name="RoundTripMilliseconds">Last measured round-trip time, or null.</param>
/// <param name="EmulatedLoss">Messages dropped by emulated loss.</param>
internal sealed record LinkSummary(
    string Id,
    string From,
    string To,
    string FromName,
    string ToName,
    IReadOnlyList<int> Applications,
    double BytesPerSecond,
    double MessagesPerSecond,
    int BufferedMessages,
    int BufferCapacity,
    double? BandwidthLimit,
    double? RoundTripMilliseconds,
    long EmulatedLoss);
