namespace Overlay.Algorithms.Services;

/// <summary>
/// What one node knows when it picks service instances: the instances of each type, its measured bandwidth to them,
/// and what each reported it reaches. <see cref="ServiceGraph"/> is the live implementation; an experiment can
/// build one from known bandwidths and run the very same <see cref="FederationPlanner"/> on it.
/// </summary>
public interface IServiceView
{
    /// <summary>The known instances of <paramref name="service"/>.</summary>
    IReadOnlyCollection<NodeId> InstancesOf(int service);

    /// <summary>Measured bandwidth from this node to <paramref name="peer"/> in bytes/s: NaN when not measured yet, 0 when the peer failed.</summary>
    double BandwidthTo(NodeId peer);

    /// <summary>The best bandwidth <paramref name="candidate"/> reported to an instance of <paramref name="service"/>, or NaN when it reported none.</summary>
    double ReachOf(NodeId candidate, int service);
}
