namespace Overlay.Observer.Web.Api;

/// <summary>Body of <c>POST /api/links/bandwidth</c>: the limit is applied at <paramref name="From"/>.</summary>
/// <param name="From">The node that applies the limit (name or address).</param>
/// <param name="To">The peer at the link's other end.</param>
/// <param name="Direction">"downstream" (From sends to To; the default) or "upstream" (To sends to From).</param>
/// <param name="BytesPerSecond">The new limit; required unless <paramref name="Unlimited"/>.</param>
/// <param name="Unlimited">Remove the limit instead.</param>
internal sealed record LinkBandwidthRequest(string? From, string? To, string? Direction, double? BytesPerSecond, bool Unlimited = false);
