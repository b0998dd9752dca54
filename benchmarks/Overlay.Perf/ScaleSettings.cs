namespace Overlay.Perf;

/// <summary>Command line of the scale experiment.</summary>
/// <param name="Nodes">Virtual nodes in the process.</param>
/// <param name="Seed">Seed of the random graph and of where rumours start.</param>
/// <param name="SettleSeconds">Wait before each idle window.</param>
/// <param name="IdleSeconds">Length of each idle window.</param>
/// <param name="LoadSeconds">Length of the gossip window.</param>
/// <param name="RumorsPerSecond">Rumours started per second during the gossip window.</param>
/// <param name="RumorPayload">Payload bytes of a rumour.</param>
/// <param name="ConnectBatch">Nodes that open their links at a time; 0 for all at once.</param>
/// <param name="RelaxedFailureTimeout">FailureTimeout of the relaxed profile.</param>
/// <param name="RelaxedMeasurementInterval">MeasurementInterval of the relaxed profile.</param>
internal sealed record ScaleSettings(
    int Nodes,
    int Seed,
    double SettleSeconds,
    double IdleSeconds,
    double LoadSeconds,
    double RumorsPerSecond,
    int RumorPayload,
    int ConnectBatch,
    TimeSpan RelaxedFailureTimeout,
    TimeSpan RelaxedMeasurementInterval)
{
    public static ScaleSettings Parse(string[] args) => new(
        ExperimentArguments.Int(args, "--nodes", 1000),
        ExperimentArguments.Int(args, "--seed", 42),
        ExperimentArguments.Double(args, "--settle", 3),
        ExperimentArguments.Double(args, "--idle", 10),
        ExperimentArguments.Double(args, "--load", 10),
        ExperimentArguments.Double(args, "--rumors", 5),
        ExperimentArguments.Int(args, "--payload", 1024),
        ExperimentArguments.Int(args, "--connect-batch", 0),
        TimeSpan.FromSeconds(ExperimentArguments.Double(args, "--relaxed-failure-timeout", 10)),
        TimeSpan.FromSeconds(ExperimentArguments.Double(args, "--relaxed-measurement-interval", 10)));
}
