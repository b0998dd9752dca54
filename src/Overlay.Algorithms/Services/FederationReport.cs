namespace Overlay.Algorithms.Services;

/// <summary>
/// The account of one federated session: the chosen nodes, and what the sink measured of the delivered stream.
/// At the source it combines the sink's latest sReport; at the sink it is the sink's own measurement.
/// </summary>
/// <param name="ApplicationId">The session's application id.</param>
/// <param name="Strategy">How the instances were chosen.</param>
/// <param name="Requirement">The requirement federated.</param>
/// <param name="State">Where the session stands.</param>
/// <param name="ChosenNodes">The instance chosen for each service of <see cref="ServiceRequirement.Services"/> (empty until deployed).</param>
public sealed record FederationReport(
    int ApplicationId,
    FederationStrategy Strategy,
    ServiceRequirement Requirement,
    FederationState State,
    IReadOnlyList<NodeId> ChosenNodes)
{
    /// <summary>From the request at the source to the deployment arriving back there; null until deployed.</summary>
    public TimeSpan? FederationTime { get; init; }

    /// <summary>Data messages the sink received.</summary>
    public long MessagesDelivered { get; init; }

    /// <summary>Payload bytes the sink received.</summary>
    public long BytesDelivered { get; init; }

    /// <summary>Mean time from the source producing a message to the sink receiving it (clocks of one host); null before data.</summary>
    public TimeSpan? EndToEndDelay { get; init; }

    /// <summary>Average rate the sink received at over the last report interval, bytes/s: the last-hop throughput.</summary>
    public double LastHopThroughput { get; init; }

    /// <summary>Average rate the sink received at since its first message, bytes/s.</summary>
    public double AverageThroughput { get; init; }

    /// <summary>How many services transformed the last message the sink received (the sink included).</summary>
    public int ServicesApplied { get; init; }

    /// <summary>The node whose failure broke or failed the session, or <see cref="NodeId.None"/>.</summary>
    public NodeId FailedNode { get; init; }

    /// <summary>The service without a usable instance when <see cref="State"/> is <see cref="FederationState.Failed"/>, else 0.</summary>
    public int FailedService { get; init; }
}
