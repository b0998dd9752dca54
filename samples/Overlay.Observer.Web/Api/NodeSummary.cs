namespace Overlay.Observer.Web.Api;

/// <summary>One node in a <see cref="StatusSnapshot"/>.</summary>
/// <param name="Id">Its address ("a.b.c.d:port").</param>
/// <param name="Name">What the page calls it (the demo's letter, else the address).</param>
/// <param name="Alive">Connected to the observer.</param>
/// <param name="LastSeen">When it last said anything.</param>
/// <param name="Reported">It has sent a status report (the figures below are zero until then).</param>
/// <param name="Sources">Applications whose source runs here.</param>
/// <param name="TotalBandwidth">Emulated total limit, bytes per second, or null.</param>
/// <param name="UploadBandwidth">Emulated upload limit, bytes per second, or null.</param>
/// <param name="DownloadBandwidth">Emulated download limit, bytes per second, or null.</param>
/// <param name="BufferedMessages">Messages waiting in its outgoing link buffers.</param>
/// <param name="BufferCapacity">Those buffers' total capacity.</param>
/// <param name="UploadBytesPerSecond">Throughput over all its downstream links.</param>
/// <param name="DownloadBytesPerSecond">Throughput over all its upstream links.</param>
/// <param name="MessagesLost">Messages lost to link failures.</param>
internal sealed record NodeSummary(
    string Id,
    string Name,
    bool Alive,
    DateTimeOffset LastSeen,
    bool Reported,
    IReadOnlyList<int> Sources,
    double? TotalBandwidth,
    double? UploadBandwidth,
    double? DownloadBandwidth,
    int BufferedMessages,
    int BufferCapacity,
    double UploadBytesPerSecond,
    double DownloadBytesPerSecond,
    long MessagesLost);
