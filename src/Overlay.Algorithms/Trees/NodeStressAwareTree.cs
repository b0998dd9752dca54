namespace Overlay.Algorithms.Trees;

/// <summary>
/// The node-stress-aware tree of the iOverlay paper: a query that reaches the tree walks from node to node towards
/// lower stress (degree / available bandwidth) and is accepted by a node whose stress is the lowest among itself, its
/// parent and its children.
/// </summary>
/// <remarks>
/// <para>Candidates are compared by the stress each would have after accepting, (degree + 1) / bandwidth, not by their
/// current stress. Two nodes with equal stress but different bandwidths are not equally good parents — one more child
/// costs the slower node more — and comparing current stress would end the walk at the first such tie (in the paper's
/// five-node session, a query entering at D would stay at D instead of reaching A). On an exact tie the current node
/// accepts; among neighbours the lower node id wins, so a walk is deterministic.</para>
/// <para>The walk never goes back to the neighbour it came from: with current figures the stress falls at every step,
/// and in a tree that rule alone rules out cycles, even over stale figures.</para>
/// <para>A gossiped query usually reaches several tree nodes, each of which starts a walk, and greedy walks from
/// different places can end at different local minima. The joiner therefore collects the offers that arrive within
/// <see cref="SessionOptions.OfferWindow"/> of the first and takes the one whose acceptor would have the lowest stress
/// (set the window to zero for the first offer, as with a single walk).</para>
/// </remarks>
public sealed class NodeStressAwareTree : SessionAlgorithm
{
    /// <summary>Creates the algorithm.</summary>
    /// <param name="options">Settings; null for the defaults.</param>
    public NodeStressAwareTree(SessionOptions? options = null)
        : base(options)
    {
    }

    /// <inheritdoc />
    protected override void RouteQuery(Session session, JoinQuery query)
    {
        ArgumentNullException.ThrowIfNull(session);
        var best = Self;
        var bestStress = session.Own.StressIfAccepted;
        foreach (var (peer, report) in session.Neighbours)
        {
            if (peer == query.PreviousHop || peer == query.Joiner)
                continue;
            var stress = report.StressIfAccepted;
            if (stress < bestStress || (stress == bestStress && best != Self && peer < best))
            {
                best = peer;
                bestStress = stress;
            }
        }

        if (best == Self)
            AcceptQuery(session, query);
        else
            ForwardQuery(session, query, best);
    }
}
