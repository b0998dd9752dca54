namespace Overlay.Emulation;

/// <summary>
/// One user's share of a <see cref="TokenBucket"/> that several users compete for: its weight, and what it owes the
/// bucket. See the bucket's remarks for how debts are repaid by weight.
/// </summary>
/// <remarks>Its fields are touched only under the bucket's lock.</remarks>
internal sealed class BucketShare
{
    public BucketShare(int weight)
    {
        Weight = weight;
    }

    /// <summary>Its part of the rate relative to the other shares in debt.</summary>
    public int Weight { get; set; }

    /// <summary>Bytes reserved beyond the bucket's credit and not yet repaid.</summary>
    public double Debt { get; set; }

    /// <summary>True while the bucket holds it.</summary>
    public bool IsRegistered { get; set; }
}
