namespace Overlay.Algorithms.Services;

/// <summary>Where a federated session stands, as its source sees it.</summary>
public enum FederationState
{
    /// <summary>The sFederate request is travelling from chosen node to chosen node.</summary>
    Federating,

    /// <summary>The sink concluded the federation and the data stream runs along the chosen nodes.</summary>
    Deployed,

    /// <summary>No usable instance of a required service was found; see <see cref="FederationReport.FailedService"/>.</summary>
    Failed,

    /// <summary>A chosen node or a link between chosen nodes failed during the session; see <see cref="FederationReport.FailedNode"/>.</summary>
    Broken,

    /// <summary>The source ended the session.</summary>
    Ended,
}
