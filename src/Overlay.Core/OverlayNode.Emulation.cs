using System.Collections.Concurrent;
using Overlay.Emulation;

namespace Overlay;

// Emulated bandwidth and link conditions: settable at start-up (options) and at run time, from any thread.
public sealed partial class OverlayNode
{
    // Per peer and direction: the link bucket and how many links use it. An entry lives while a link uses it or the
    // user's limit is set on it, so identities a stranger claims and drops leave nothing behind. Touched when links
    // open and close and by the public API, never per message (a link keeps its bucket), so a lock is fine.
    private readonly Dictionary<(NodeId Peer, LinkDirection Direction), LinkBucketEntry> _linkBuckets = [];
    private readonly ConcurrentDictionary<NodeId, LinkConditions> _linkConditions = new();
    private readonly LimitChanges _limitChanges = new();

    /// <summary>Counts changes to any emulated limit of this node; links watch it to notice one with a single read.</summary>
    internal LimitChanges LimitChanges => _limitChanges;

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
        lock (_linkBuckets)
        {
            var entry = LinkBucketEntry(peer, direction);
            entry.Bucket.SetRate(bytesPerSecond, burstBytes);
            ForgetIfUnused(peer, direction, entry);
        }
    }

    /// <summary>The limit set on one direction of the link with <paramref name="peer"/>, or null for none.</summary>
    public double? GetLinkBandwidth(NodeId peer, LinkDirection direction)
    {
        lock (_linkBuckets)
            return _linkBuckets.TryGetValue((peer, direction), out var entry) && !entry.Bucket.IsUnlimited ? entry.Bucket.Rate : null;
    }

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

    /// <summary>Entries this node keeps per peer (link buckets, link conditions); for tests of what a departed peer leaves behind.</summary>
    internal int PerPeerEntries
    {
        get
        {
            lock (_linkBuckets)
                return _linkBuckets.Count + _linkConditions.Count;
        }
    }

    /// <summary>The bucket of a link that opens; give it back with <see cref="ReleaseLinkBucket"/> when the link has closed.</summary>
    internal TokenBucket AcquireLinkBucket(NodeId peer, LinkDirection direction)
    {
        lock (_linkBuckets)
        {
            var entry = LinkBucketEntry(peer, direction);
            entry.Links++;
            return entry.Bucket;
        }
    }

    /// <summary>A link that had the bucket has closed: the entry goes with its last link unless the user set a limit.</summary>
    internal void ReleaseLinkBucket(NodeId peer, LinkDirection direction)
    {
        lock (_linkBuckets)
        {
            if (!_linkBuckets.TryGetValue((peer, direction), out var entry))
                return;
            entry.Links--;
            ForgetIfUnused(peer, direction, entry);
        }
    }

    private LinkBucketEntry LinkBucketEntry(NodeId peer, LinkDirection direction)
    {
        if (!_linkBuckets.TryGetValue((peer, direction), out var entry))
            _linkBuckets.Add((peer, direction), entry = new LinkBucketEntry(new TokenBucket(TimeProvider) { Changes = _limitChanges }));
        return entry;
    }

    private void ForgetIfUnused(NodeId peer, LinkDirection direction, LinkBucketEntry entry)
    {
        if (entry.Links <= 0 && entry.Bucket.IsUnlimited)
            _linkBuckets.Remove((peer, direction));
    }

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
