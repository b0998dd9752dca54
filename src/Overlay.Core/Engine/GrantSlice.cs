using Overlay.Emulation;

namespace Overlay.Engine;

/// <summary>
/// How many bytes one direction of a link may move in one grant (<see cref="DownstreamLink.GrantSeconds"/> of the
/// tightest of its buckets: the link's own, the node's upload or download, the node's total), kept between batches
/// and reads. Each bucket's slice takes that bucket's lock; the limits change rarely, so the slice is worked out
/// again only when the node's change counter moved — one read per batch or read, and a limit set at run time still
/// applies to the next one (as <see cref="KernelBufferSizing"/> does).
/// </summary>
/// <remarks>Used by the link's I/O loop only.</remarks>
internal sealed class GrantSlice
{
    private readonly LimitChanges _limits;
    private readonly TokenBucket _link;
    private readonly TokenBucket _node;
    private readonly TokenBucket _total;
    private int _changes;
    private double _bytes;

    /// <param name="limits">The node's change counter, told of every change to these buckets.</param>
    /// <param name="link">The link's own bucket for this direction.</param>
    /// <param name="node">The node's upload (send) or download (receive) bucket.</param>
    /// <param name="total">The node's total bucket.</param>
    public GrantSlice(LimitChanges limits, TokenBucket link, TokenBucket node, TokenBucket total)
    {
        _limits = limits;
        _link = link;
        _node = node;
        _total = total;
        Refresh(limits.Count);
    }

    /// <summary>Bytes in one grant of the tightest bucket; <see cref="double.PositiveInfinity"/> when none is limited.</summary>
    public double Bytes
    {
        get
        {
            var changes = _limits.Count;
            if (changes != _changes)
                Refresh(changes);
            return _bytes;
        }
    }

    private void Refresh(int changes)
    {
        // The counter is read before the buckets: a change landing in between is seen again at the next call.
        _changes = changes;
        _bytes = Math.Min(
            Slice(_link),
            Math.Min(Slice(_node), Slice(_total)));
    }

    private static double Slice(TokenBucket bucket) =>
        bucket.IsUnlimited ? double.PositiveInfinity : bucket.SliceBytes(DownstreamLink.GrantSeconds);
}
