namespace Overlay.Algorithms.Services;

/// <summary>Settings of <see cref="ServiceFederationAlgorithm"/>.</summary>
public sealed class ServiceFederationOptions
{
    /// <summary>Which service types feed which.</summary>
    /// <remarks>Defaults to <see cref="ServiceCatalogue.Complete"/>.</remarks>
    public ServiceCatalogue Catalogue { get; set; } = ServiceCatalogue.Complete;

    /// <summary>How many times a node without a service relays an sAware before it is dropped.</summary>
    /// <remarks>Defaults to 4.</remarks>
    public int AwareHops { get; set; } = 4;

    /// <summary>How often the node's housekeeping runs: one bandwidth measurement started, reach and sink reports sent when due.</summary>
    /// <remarks>Defaults to 500 ms.</remarks>
    public TimeSpan MaintenanceInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a bandwidth measurement to a downstream instance stays fresh before it is repeated.</summary>
    /// <remarks>Defaults to 60 s. Each measurement is a 64 KB probe train, so this sets the measurement traffic.</remarks>
    public TimeSpan MeasurementInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long to wait for a measurement before starting the next.</summary>
    /// <remarks>Defaults to 5 s.</remarks>
    public TimeSpan MeasurementTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Least time between two sReach reports of a changed reach to all upstream instances.</summary>
    /// <remarks>Defaults to 2 s.</remarks>
    public TimeSpan ReachInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Relative change of a reach that makes it worth reporting again.</summary>
    /// <remarks>Defaults to 0.2.</remarks>
    public double ReachChangeThreshold { get; set; } = 0.2;

    /// <summary>How often a sink sends its sReport to the source.</summary>
    /// <remarks>Defaults to 1 s.</remarks>
    public TimeSpan ReportInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Payload bytes of each data message the source produces (at least the 16-byte data header).</summary>
    /// <remarks>Defaults to 5,120.</remarks>
    public int DataPayloadLength { get; set; } = 5 * 1024;

    /// <summary>Messages a join service holds while waiting for the same message from its other producers.</summary>
    /// <remarks>Defaults to 256.</remarks>
    public int JoinWindow { get; set; } = 256;

    /// <summary>The service's work on passing data; null leaves the body unchanged.</summary>
    /// <remarks>Defaults to null.</remarks>
    public PayloadTransform? Transform { get; set; }

    /// <summary>Seed of the random choices (the random strategy), so an experiment repeats; null for a random seed.</summary>
    /// <remarks>Defaults to null.</remarks>
    public int? Seed { get; set; }

    /// <summary>A copy, so later edits do not reach a running algorithm.</summary>
    public ServiceFederationOptions Copy() => (ServiceFederationOptions)MemberwiseClone();

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Catalogue);
        if (AwareHops is < 0 or > 255)
            throw new ArgumentOutOfRangeException(nameof(AwareHops), AwareHops, "Between 0 and 255.");
        if (DataPayloadLength < ServiceWire.DataHeaderLength)
            throw new ArgumentOutOfRangeException(nameof(DataPayloadLength), DataPayloadLength, $"At least {ServiceWire.DataHeaderLength} bytes.");
        if (JoinWindow < 1)
            throw new ArgumentOutOfRangeException(nameof(JoinWindow), JoinWindow, "At least 1.");
        if (MaintenanceInterval <= TimeSpan.Zero || ReportInterval <= TimeSpan.Zero || MeasurementInterval <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(MaintenanceInterval), "Intervals are positive.");
    }
}
