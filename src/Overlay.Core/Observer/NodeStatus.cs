namespace Overlay.Observer;

/// <summary>A node's answer to its observer's status request.</summary>
/// <param name="Node">The node (in JSON "a.b.c.d:port").</param>
/// <param name="Links">Every link, both directions.</param>
/// <param name="Sources">Applications whose data source runs on this node.</param>
/// <param name="TotalBandwidth">Emulated total limit, bytes per second.</param>
/// <param name="UploadBandwidth">Emulated upload limit, bytes per second.</param>
/// <param name="DownloadBandwidth">Emulated download limit, bytes per second.</param>
/// <param name="MessagesLost">Messages lost to link failures.</param>
/// <param name="BytesLost">Frame bytes lost to link failures.</param>
/// <param name="TracesDropped">Traces dropped because the observer connection was down or too slow.</param>
public sealed record NodeStatus(
    NodeId Node,
    IReadOnlyList<LinkStatus> Links,
    IReadOnlyList<int> Sources,
    double? TotalBandwidth,
    double? UploadBandwidth,
    double? DownloadBandwidth,
    long MessagesLost,
    long BytesLost,
    long TracesDropped);
