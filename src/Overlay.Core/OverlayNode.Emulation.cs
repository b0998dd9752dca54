using System.Collections.Concurrent;
using Overlay.Emulation;

namespace Overlay;

// Emulated bandwidth and link conditions: settable at start-up (options) and at run time, from any thread.
public sealed partial class OverlayNode
{
    private readonly ConcurrentDictionary<(NodeId Peer, LinkDirection Direction), TokenBucket> _linkBuckets = new();
    private readonly ConcurrentDictionary<NodeId, LinkConditions> _linkConditions = new();
    private readonly LimitChanges _limitChanges = new();

    /// <summary>The node's total (upload + download) budget; unlimited unless set.</summary>
    internal TokenBucket TotalBucket { get; private set; } = null!;

    /// <summary>The node's upload budget; unlimited unless set.</summary>
    internal TokenBucket UploadBucket { get; private set; } = null!;

    /// <summary>The node's download budget; unlimited unless set.</summary>
    internal TokenBucket DownloadBucket { get; private set; } = null!;

    /// <summary>
    /// Sets one of the node's emulated bandwidth budgets, in bytes per second of frames (header and payload);
    /// null removes the limit. Takes effect at once; thread-safe.
    /// </summary>
    /// <param name="scope">Total, upload or download.</param>
    /// <param name="bytesPerSecond">The limit (positive and finite), or null for none.</param>
    /// <param name="burstBytes">
    /// How many bytes may pass at once after an idle spell; null picks <see cref="TokenBucket.DefaultBurst"/>: 50 ms worth,
    /// at least 16 KiB.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="bytesPerSecond"/> or <paramref name="burstBytes"/> is zero, negative, NaN or infinite (null, not 0,
    /// removes a limit), or <paramref name="scope"/> is not a scope.
    /// </exception>
    public void SetBandwidth(BandwidthScope scope, double? bytesPerSecond, double? burstBytes = null)
    {
        var bucket = scope switch
        {
            BandwidthScope.Total => TotalBucket,
            BandwidthScope.Upload => UploadBucket,
            BandwidthScope.Download => DownloadBucket,
            _ => throw new ArgumentOutOfRangeException(nameof(scope)),
        };
        bucket.SetRate(bytesPerSecond, burstBytes);
    }

    /// <summary>The limit currently set for <paramref name="scope"/>, or null for none.</summary>
    public double? GetBandwidth(BandwidthScope scope)
    {
        var rate = scope switch
        {
            BandwidthScope.Total => TotalBucket.Rate,
            BandwidthScope.Upload => UploadBucket.Rate,
            BandwidthScope.Download => DownloadBucket.Rate,
            _ => throw new ArgumentOutOfRangeException(nameof(scope)),
        };
        return double.IsPositiveInfinity(rate) ? null : rate;
    }

    /// <summary>
    /// Sets the emulated bandwidth of one direction of the link with <paramref name="peer"/> (upstream: what the peer
    /// sends here; downstream: what this node sends there); null removes the limit. Works before the link exists.
    /// </summary>
    /// <param name="peer">The node at the other end.</param>
    /// <param name="direction">Which direction of the link.</param>
    /// <param name="bytesPerSecond">The limit (positive and finite), or null for none.</param>
    /// <param name="burstBytes">How many bytes may pass at once after an idle spell; null picks <see cref="TokenBucket.DefaultBurst"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="bytesPerSecond"/> or <paramref name="burstBytes"/> is zero, negative, NaN or infinite, or
    /// <paramref name="direction"/> is not a direction.
    /// </exception>
    public void SetLinkBandwidth(NodeId peer, LinkDirection direction, double? bytesPerSecond, double? burstBytes = null)
    {
        if (direction is not (LinkDirection.Upstream or LinkDirection.Downstream))
            throw new ArgumentOutOfRangeException(nameof(direction), direction, "A link direction is Upstream or Downstream.");
        // Checked before the bucket is created, so a refused call leaves no trace.
        TokenBucket.ValidateRate(bytesPerSecond, burstBytes);
        LinkBucket(peer, direction).SetRate(bytesPerSecond, burstBytes);
    }

    /// <summary>The limit set on one direction of the link with <paramref name="peer"/>, or null for none.</summary>
    public double? GetLinkBandwidth(NodeId peer, LinkDirection direction) =>
        _linkBuckets.TryGetValue((peer, direction), out var bucket) && !bucket.IsUnlimited ? bucket.Rate : null;

    /// <summary>
    /// Sets emulated delay, jitter and loss on the link from this node to <paramref name="peer"/> (applied at this
    /// node's sending side, including its answers to the peer's round-trip probes). Works before the link exists.
    /// </summary>
    public void SetLinkConditions(NodeId peer, LinkConditions conditions)
    {
        ArgumentNullException.ThrowIfNull(conditions);
        conditions.Validate();
        _linkConditions[peer] = conditions;
    }

    /// <summary>The emulated conditions on the link from this node to <paramref name="peer"/>.</summary>
    public LinkConditions GetLinkConditions(NodeId peer) =>
        _linkConditions.TryGetValue(peer, out var conditions) ? conditions : LinkConditions.None;

    internal TokenBucket LinkBucket(NodeId peer, LinkDirection direction) =>
        _linkBuckets.GetOrAdd((peer, direction), static (_, node) => new TokenBucket(node.TimeProvider) { Changes = node._limitChanges }, this);

    /// <summary>
    /// The seed of the emulated loss and jitter of the <paramref name="ordinal"/>-th link this node opens: fixed by
    /// <see cref="OverlayNodeOptions.EmulationSeed"/> and the order links open in, not by (ephemeral) ports, so a
    /// repeated experiment drops the same messages.
    /// </summary>
    internal int EmulationSeedFor(int ordinal) => unchecked((_options.EmulationSeed * 1_000_003) + ordinal);

    private void InitializeEmulation()
    {
        TotalBucket = CreateBucket(_options.TotalBandwidth);
        UploadBucket = CreateBucket(_options.UploadBandwidth);
        DownloadBucket = CreateBucket(_options.DownloadBandwidth);
    }

    private TokenBucket CreateBucket(double? rate)
    {
        var bucket = new TokenBucket(TimeProvider) { Changes = _limitChanges };
        bucket.SetRate(rate);
        return bucket;
    }
}
