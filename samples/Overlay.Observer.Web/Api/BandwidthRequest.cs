namespace Overlay.Observer.Web.Api;

/// <summary>Body of <c>POST /api/nodes/{id}/bandwidth</c>.</summary>
/// <param name="Scope">"total", "upload" or "download".</param>
/// <param name="BytesPerSecond">The new limit; required unless <paramref name="Unlimited"/>.</param>
/// <param name="Unlimited">Remove the limit instead.</param>
internal sealed record BandwidthRequest(string? Scope, double? BytesPerSecond, bool Unlimited = false);
