namespace Overlay.Algorithms.Services;

/// <summary>
/// The selection rules of service federation, as pure functions of one node's <see cref="IServiceView"/>: the live
/// <see cref="ServiceFederationAlgorithm"/> calls them on its <see cref="ServiceGraph"/>, and experiments call them on
/// a view built from known bandwidths, so both run the same code.
/// </summary>
public static class FederationPlanner
{
    /// <summary>
    /// Picks, for every service that consumes the output of the service at <paramref name="position"/> and has no
    /// instance yet, an instance by <paramref name="strategy"/>, and writes it into <paramref name="assignment"/>.
    /// </summary>
    /// <param name="strategy">The selection rule.</param>
    /// <param name="view">What the node hosting the service at <paramref name="position"/> knows.</param>
    /// <param name="requirement">The requirement being federated.</param>
    /// <param name="position">The position (in <see cref="ServiceRequirement.Services"/>) of the service this node hosts.</param>
    /// <param name="assignment">The instance chosen for each position so far (<see cref="NodeId.None"/> where none yet).</param>
    /// <param name="random">The random numbers of <see cref="FederationStrategy.Random"/>.</param>
    /// <returns>-1 when every successor has an instance; otherwise the position of a service without a usable instance.</returns>
    public static int AssignSuccessors(FederationStrategy strategy, IServiceView view, ServiceRequirement requirement, int position, NodeId[] assignment, Random random)
    {
        ArgumentNullException.ThrowIfNull(requirement);
        ArgumentNullException.ThrowIfNull(assignment);
        foreach (var next in requirement.SuccessorsOf(position))
        {
            if (!assignment[next].IsNone)
                continue;
            var chosen = Choose(strategy, view, requirement, next, assignment, random);
            if (chosen.IsNone)
                return next;
            assignment[next] = chosen;
        }

        return -1;
    }

    /// <summary>
    /// The instance of the service at <paramref name="position"/> that <paramref name="strategy"/> picks from
    /// <paramref name="view"/>, never one already in <paramref name="assignment"/> nor one known to have failed;
    /// <see cref="NodeId.None"/> when there is none.
    /// </summary>
    public static NodeId Choose(FederationStrategy strategy, IServiceView view, ServiceRequirement requirement, int position, IReadOnlyList<NodeId> assignment, Random random)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(requirement);
        ArgumentNullException.ThrowIfNull(assignment);
        ArgumentNullException.ThrowIfNull(random);

        // Sorted, so a seeded choice does not depend on the order the node happened to learn instances in.
        var candidates = new List<NodeId>();
        foreach (var node in view.InstancesOf(requirement.Services[position]))
        {
            if (view.BandwidthTo(node) != 0 && !assignment.Contains(node))
                candidates.Add(node);
        }

        if (candidates.Count == 0)
            return NodeId.None;
        candidates.Sort();
        if (strategy == FederationStrategy.Random)
            return candidates[random.Next(candidates.Count)];

        var best = NodeId.None;
        var bestScore = double.NegativeInfinity;
        var bestBandwidth = double.NegativeInfinity;
        foreach (var candidate in candidates)
        {
            var bandwidth = Known(view.BandwidthTo(candidate));
            var score = strategy == FederationStrategy.SFlow ? LookAhead(view, requirement, position, candidate, bandwidth) : bandwidth;

            // Ties (common while reach reports are missing) go to the wider first hop.
            if (score > bestScore || (score == bestScore && bandwidth > bestBandwidth))
            {
                best = candidate;
                bestScore = score;
                bestBandwidth = bandwidth;
            }
        }

        return best;
    }

    /// <summary>
    /// sFlow's score of <paramref name="candidate"/> for the service at <paramref name="position"/>: the bottleneck of
    /// the bandwidth to it and of what it reaches of each service after it in the requirement. A sink is scored by its
    /// first hop alone; a candidate that reported nothing scores 0 (it cannot show it reaches onwards).
    /// </summary>
    public static double LookAhead(IServiceView view, ServiceRequirement requirement, int position, NodeId candidate, double bandwidth)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(requirement);
        var score = bandwidth;
        foreach (var after in requirement.SuccessorsOf(position))
            score = Math.Min(score, Known(view.ReachOf(candidate, requirement.Services[after])));
        return score;
    }

    // Unknown (NaN) counts as nothing.
    private static double Known(double value) => double.IsNaN(value) ? 0 : value;
}
