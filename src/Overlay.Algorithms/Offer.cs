namespace Overlay.Algorithms;

/// <summary>An acknowledgement a joiner holds while it waits for better ones.</summary>
/// <param name="Acceptor">The node offering to be the parent.</param>
/// <param name="Path">The acceptor's path from the source.</param>
/// <param name="Report">The acceptor's degree and bandwidth when it made the offer.</param>
/// <param name="QueryId">The query it answers.</param>
internal readonly record struct Offer(NodeId Acceptor, NodeId[] Path, StressReport Report, int QueryId);
