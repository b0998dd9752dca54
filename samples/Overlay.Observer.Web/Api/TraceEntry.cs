namespace Overlay.Observer.Web.Api;

/// <summary>One trace line, as <c>GET /api/trace</c> and the <c>trace</c> events carry it.</summary>
/// <param name="Sequence">Its number: later traces have larger numbers.</param>
/// <param name="Time">When the observer received it.</param>
/// <param name="Node">The sending node's address.</param>
/// <param name="Name">The sending node's display name.</param>
/// <param name="Text">What it said.</param>
internal sealed record TraceEntry(long Sequence, DateTimeOffset Time, string Node, string Name, string Text);
