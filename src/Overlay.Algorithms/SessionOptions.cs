namespace Overlay.Algorithms;

/// <summary>Settings of a <see cref="SessionAlgorithm"/>. Copied when the algorithm is created.</summary>
public sealed class SessionOptions
{
    /// <summary>How often a tree node sends its stress to its parent and children.</summary>
    /// <remarks>Defaults to 1 second. Changes (a new child, a new path) are also sent at once.</remarks>
    public TimeSpan StressInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a joining node waits for an acknowledgement before it sends a new query.</summary>
    /// <remarks>Defaults to 3 seconds.</remarks>
    public TimeSpan JoinRetryInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How often a source announces its session again, so nodes that came later learn it;
    /// <see cref="Timeout.InfiniteTimeSpan"/> announces once.</summary>
    /// <remarks>Defaults to 5 seconds.</remarks>
    public TimeSpan AnnounceInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The probability with which a query or announcement is passed to each known host.</summary>
    /// <remarks>Defaults to 1 (flooding, bounded by duplicate suppression).</remarks>
    public double GossipProbability { get; set; } = 1;

    /// <summary>The node's available last-mile bandwidth in bytes per second, for its stress; null takes what the node
    /// may send under emulation, the lower of its upload and total limits, and a node with none counts as unlimited (no stress).</summary>
    /// <remarks>Defaults to null.</remarks>
    public double? Bandwidth { get; set; }

    /// <summary>
    /// How long a joiner that weighs offers (<see cref="SessionAlgorithm"/>'s default) collects acknowledgements after the
    /// first, before it takes the one whose acceptor would have the lowest stress. A gossiped query reaches several tree
    /// nodes and each starts its own walk, so several offers may come.
    /// </summary>
    /// <remarks>Defaults to 250 milliseconds. Zero takes the first offer.</remarks>
    public TimeSpan OfferWindow { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How many tree nodes may pass one query on before the current one accepts it.</summary>
    /// <remarks>Defaults to 64. A walk over stale stress figures can otherwise wander.</remarks>
    public int MaxWalkHops { get; set; } = 64;

    /// <summary>Seed of the gossip coin flips; null for a random seed.</summary>
    /// <remarks>Defaults to null.</remarks>
    public int? Seed { get; set; }

    internal SessionOptions Copy()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(StressInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(JoinRetryInterval, TimeSpan.Zero);
        if (AnnounceInterval <= TimeSpan.Zero && AnnounceInterval != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(AnnounceInterval), AnnounceInterval, "Positive, or infinite to announce once.");
        if (double.IsNaN(GossipProbability) || GossipProbability <= 0 || GossipProbability > 1)
            throw new ArgumentOutOfRangeException(nameof(GossipProbability), GossipProbability, "A probability above 0, at most 1.");
        if (Bandwidth is { } bandwidth && (double.IsNaN(bandwidth) || bandwidth <= 0))
            throw new ArgumentOutOfRangeException(nameof(Bandwidth), bandwidth, "A bandwidth is positive.");
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxWalkHops, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(OfferWindow, TimeSpan.Zero);
        return new SessionOptions
        {
            StressInterval = StressInterval,
            JoinRetryInterval = JoinRetryInterval,
            AnnounceInterval = AnnounceInterval,
            GossipProbability = GossipProbability,
            Bandwidth = Bandwidth,
            MaxWalkHops = MaxWalkHops,
            OfferWindow = OfferWindow,
            Seed = Seed,
        };
    }
}
