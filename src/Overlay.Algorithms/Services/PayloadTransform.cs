namespace Overlay.Algorithms.Services;

/// <summary>
/// What a service does to the data passing through it: transforms <paramref name="body"/> in place (the payload after
/// the federation's data header). Runs on the node's loop for every message, so it must not allocate or block.
/// </summary>
/// <param name="service">The service type this node hosts.</param>
/// <param name="applicationId">The session.</param>
/// <param name="body">The message body, writable.</param>
public delegate void PayloadTransform(int service, int applicationId, Span<byte> body);
