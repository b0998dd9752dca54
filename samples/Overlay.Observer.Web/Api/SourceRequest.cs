namespace Overlay.Observer.Web.Api;

/// <summary>Body of <c>POST /api/nodes/{id}/source</c>.</summary>
/// <param name="Action">"deploy" or "terminate".</param>
/// <param name="ApplicationId">The application.</param>
/// <param name="PayloadLength">Payload bytes per message when deploying (default 5,120).</param>
internal sealed record SourceRequest(string? Action, int? ApplicationId, int? PayloadLength);
