using Overlay.Engine;

namespace Overlay;

// Upstream weights: how the node shares what its upstreams compete for. Settable from any thread, before a link exists,
// and kept across reconnects (they belong to the peer, not to one connection).
public sealed partial class OverlayNode
{
    /// <summary>The largest upstream weight (<see cref="SetUpstreamWeight"/>).</summary>
    public const int MaxUpstreamWeight = 1000;

    // Weights the user set, per peer; a peer not listed weighs 1. Also the lock that orders a weight change against a
    // link that opens at the same moment (see ApplyUpstreamWeight).
    private readonly Dictionary<NodeId, int> _upstreamWeights = [];

    /// <summary>
    /// Sets the weight of the upstream link from <paramref name="upstream"/>: what the node's upstreams compete for is
    /// shared in proportion to their weights — the switch takes up to <paramref name="weight"/> messages from it per
    /// round, and the node's download and total budgets repay its reads at its weighted part of the rate while it is
    /// backlogged (an idle upstream's part goes to the others). Thread-safe; takes effect at once, works before the
    /// link exists, and is kept when the peer reconnects. 1 is the default.
    /// </summary>
    /// <param name="upstream">The peer that sends to this node.</param>
    /// <param name="weight">From 1 to <see cref="MaxUpstreamWeight"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="weight"/> is below 1 or above <see cref="MaxUpstreamWeight"/>.</exception>
    public void SetUpstreamWeight(NodeId upstream, int weight)
    {
        ValidateUpstreamWeight(weight);
        lock (_upstreamWeights)
        {
            if (weight == 1)
                _upstreamWeights.Remove(upstream); // the default: nothing to keep
            else
                _upstreamWeights[upstream] = weight;
            foreach (var link in Volatile.Read(ref _upstreamSnapshot))
            {
                if (link.Peer == upstream)
                    link.SetWeight(weight);
            }
        }
    }

    /// <summary>The weight of the upstream link from <paramref name="upstream"/> (1 unless set). Thread-safe.</summary>
    public int GetUpstreamWeight(NodeId upstream)
    {
        lock (_upstreamWeights)
            return _upstreamWeights.GetValueOrDefault(upstream, 1);
    }

    /// <summary>Throws unless <paramref name="weight"/> is a valid upstream weight (1 to <see cref="MaxUpstreamWeight"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">It is not.</exception>
    internal static void ValidateUpstreamWeight(int weight)
    {
        if (weight is < 1 or > MaxUpstreamWeight)
        {
            throw new ArgumentOutOfRangeException(
                nameof(weight),
                weight,
                $"An upstream weight is a whole number from 1 to {MaxUpstreamWeight}: the messages the switch takes from that upstream per round, and its share of the node's download and total budgets relative to the other upstreams.");
        }
    }

    /// <summary>
    /// Gives a link that opens its peer's weight. Called before the link starts and again once it is in the snapshot:
    /// a weight set in between finds the link in the snapshot, or is read here the second time.
    /// </summary>
    private void ApplyUpstreamWeight(UpstreamLink link)
    {
        lock (_upstreamWeights)
            link.SetWeight(_upstreamWeights.GetValueOrDefault(link.Peer, 1));
    }
}
