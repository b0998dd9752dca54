namespace Overlay;

/// <summary>
/// A moment's counters of a node's listener and read buffers: what strangers cost before they prove anything.
/// Refusals by reason are in <see cref="NodeStatistics.RejectedConnections"/>.
/// </summary>
/// <param name="Accepted">TCP connections the listener accepted, before any handshake (refused ones included).</param>
/// <param name="InHandshake">Accepted connections whose handshake is under way now (at most <see cref="OverlayNodeOptions.MaxPendingHandshakes"/>).</param>
/// <param name="AcceptBackOffs">
/// Pauses of the listener (10 ms, doubling to 1 s) because an accept failed for want of descriptors (or socket
/// buffers) and none had come free since; the links already open carry on meanwhile, and accepting resumes by itself.
/// </param>
/// <param name="StagingBytes">Bytes of read staging buffers held now by this node's connections.</param>
/// <param name="PartialMessageBytes">Bytes reserved now for partly received messages (at most <see cref="OverlayNodeOptions.PartialMessageBudget"/>).</param>
public sealed record ConnectionStatistics(
    long Accepted,
    int InHandshake,
    long AcceptBackOffs,
    long StagingBytes,
    long PartialMessageBytes)
{
    /// <summary>All zero: a node that has not started.</summary>
    public static ConnectionStatistics Empty { get; } = new(0, 0, 0, 0, 0);
}
