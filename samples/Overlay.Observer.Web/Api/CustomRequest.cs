namespace Overlay.Observer.Web.Api;

/// <summary>Body of <c>POST /api/nodes/{id}/custom</c>: the two integers the node's algorithm receives.</summary>
/// <param name="First">The first integer.</param>
/// <param name="Second">The second integer.</param>
internal sealed record CustomRequest(int? First, int? Second);
