namespace Overlay.Algorithms;

/// <summary>A join request (sQuery) as it reaches a node in the tree, for <see cref="SessionAlgorithm.RouteQuery"/>.</summary>
/// <param name="ApplicationId">The application the joiner wants.</param>
/// <param name="Joiner">The node that wants to join.</param>
/// <param name="QueryId">The joiner's id of this attempt.</param>
/// <param name="Hops">How many tree nodes passed the query on so far.</param>
/// <param name="PreviousHop">The tree neighbour that passed it here, or <see cref="NodeId.None"/> when it came by gossip.</param>
public readonly record struct JoinQuery(int ApplicationId, NodeId Joiner, int QueryId, int Hops, NodeId PreviousHop);
