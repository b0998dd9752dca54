namespace Overlay.Algorithms.Services;

/// <summary>How a node holding a federation request picks the instance of each next required service.</summary>
public enum FederationStrategy
{
    /// <summary>
    /// sFlow: the instance whose path onwards is widest — the bottleneck of the measured bandwidth to the candidate and
    /// the bandwidth the candidate reports it reaches the services after it in the requirement (one hop of look-ahead).
    /// </summary>
    SFlow = 0,

    /// <summary>A uniformly random instance of the next service (the paper's "random" control).</summary>
    Random = 1,

    /// <summary>The instance with the highest measured bandwidth from the current node, without look-ahead (the paper's "fixed" control).</summary>
    Fixed = 2,
}
