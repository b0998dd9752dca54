namespace Overlay.Observer.Client;

/// <summary>What the observer knows of one node.</summary>
/// <param name="Id">The node.</param>
/// <param name="IsAlive">True while the node is connected to the observer.</param>
/// <param name="LastSeen">When the node last said anything.</param>
/// <param name="Status">Its latest status report, if any.</param>
/// <param name="Registrations">How many times it has (re)connected.</param>
public sealed record NodeView(NodeId Id, bool IsAlive, DateTimeOffset LastSeen, NodeStatus? Status, int Registrations);
