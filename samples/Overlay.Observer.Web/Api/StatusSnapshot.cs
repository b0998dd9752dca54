namespace Overlay.Observer.Web.Api;

/// <summary>What <c>GET /api/status</c> and each <c>status</c> event carry: the whole overlay as the observer sees it.</summary>
/// <param name="Time">When the snapshot was taken.</param>
/// <param name="Observer">The endpoint nodes connect to.</param>
/// <param name="Nodes">Every node the observer has seen, alive or dead.</param>
/// <param name="Links">Every live directed link, as its sender reports it.</param>
/// <param name="Applications">Per application: its sources and the links that carried it.</param>
/// <param name="LastTrace">The number of the newest trace.</param>
internal sealed record StatusSnapshot(
    DateTimeOffset Time,
    string Observer,
    IReadOnlyList<NodeSummary> Nodes,
    IReadOnlyList<LinkSummary> Links,
    IReadOnlyList<ApplicationSummary> Applications,
    long LastTrace);
