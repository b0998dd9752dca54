namespace Overlay.Emulation;

/// <summary>
/// Emulated latency, jitter and loss on the link from this node to one peer, applied at this node's sending side
/// (what netem or ModelNet give, without root).
/// </summary>
public sealed record LinkConditions
{
    /// <summary>No emulated delay, jitter or loss.</summary>
    public static LinkConditions None { get; } = new();

    /// <summary>One-way delay added to every message.</summary>
    /// <remarks>Defaults to zero.</remarks>
    public TimeSpan Delay { get; init; }

    /// <summary>Each message's delay varies uniformly by up to this much either way (never below zero).</summary>
    /// <remarks>Defaults to zero.</remarks>
    public TimeSpan Jitter { get; init; }

    /// <summary>Probability in [0, 1] that a message is dropped at the sender's link layer (counted as emulated loss).</summary>
    /// <remarks>Defaults to zero.</remarks>
    public double LossRate { get; init; }

    /// <summary>Whether jitter may reorder messages; when false a message never leaves before the one queued ahead of it.</summary>
    /// <remarks>Defaults to false.</remarks>
    public bool AllowReordering { get; init; }

    internal bool HasDelay => Delay > TimeSpan.Zero || Jitter > TimeSpan.Zero;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Delay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(Jitter, TimeSpan.Zero);
        if (LossRate is < 0 or > 1 || double.IsNaN(LossRate))
            throw new ArgumentOutOfRangeException(nameof(LossRate), LossRate, "A loss rate is a probability in [0, 1].");
    }
}
