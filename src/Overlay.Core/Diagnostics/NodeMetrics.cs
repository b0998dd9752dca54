using System.Diagnostics.Metrics;
using Overlay.Engine;
using Overlay.Wire;

namespace Overlay.Diagnostics;

/// <summary>
/// One node's part of the <c>Overlay</c> meter: the links it reports and what its closed links counted. The node
/// tells it when a link opens and closes (on the node's loop); the meter's callbacks read it from the collecting
/// thread. A peer's counters add up all its links over the node's life, so they only grow, across reconnects too.
/// </summary>
/// <remarks>
/// Tag cardinality: one series per node and peer it ever linked to (bytes and messages, both directions), one per
/// live link (buffer gauge), a handful per node for losses, failures and refusals. A node of a large, churning
/// overlay meets many peers: drop the peer tag in the exporter (an OpenTelemetry view) when that matters.
/// </remarks>
internal sealed class NodeMetrics
{
    private const string Upstream = "upstream";
    private const string Downstream = "downstream";
    private const string EmulatedCause = "emulated";
    private const string LinkClosedCause = "link_closed";

    private static readonly string[] ReasonNames = Enum.GetNames<WireError>();

    private readonly OverlayNode _node;
    private readonly OverlayMetrics _metrics;
    private readonly Dictionary<NodeId, PeerEntry> _peers = [];
    private readonly KeyValuePair<string, object?>[] _nodeTags;
    private readonly KeyValuePair<string, object?>[] _emulatedTags;
    private readonly KeyValuePair<string, object?>[] _linkClosedTags;
    private readonly KeyValuePair<string, object?>[][] _refusedTags;

    public NodeMetrics(OverlayNode node, OverlayMetrics metrics)
    {
        _node = node;
        _metrics = metrics;
        NodeName = node.Id.ToString();
        _nodeTags = [new(OverlayMeter.NodeTag, NodeName)];
        _emulatedTags = [new(OverlayMeter.NodeTag, NodeName), new(OverlayMeter.LossCauseTag, EmulatedCause)];
        _linkClosedTags = [new(OverlayMeter.NodeTag, NodeName), new(OverlayMeter.LossCauseTag, LinkClosedCause)];
        _refusedTags = [.. ReasonNames.Select(r => new KeyValuePair<string, object?>[] { new(OverlayMeter.NodeTag, NodeName), new(OverlayMeter.ReasonTag, r) })];
    }

    /// <summary>The node's tag value: its identity as text.</summary>
    public string NodeName { get; }

    /// <summary>Starts reporting the node to its meter.</summary>
    public void Attach() => _metrics.Add(this);

    /// <summary>Stops reporting the node: its series end.</summary>
    public void Detach() => _metrics.Remove(this);

    /// <summary>A link from <paramref name="link"/>'s peer opened. Node loop.</summary>
    public void Opened(UpstreamLink link)
    {
        lock (_peers)
        {
            var entry = Entry(link.Peer);
            entry.Upstreams.Add(link);
            entry.HadUpstream = true;
        }
    }

    /// <summary>A link to <paramref name="link"/>'s peer opened. Node loop.</summary>
    public void Opened(DownstreamLink link)
    {
        lock (_peers)
        {
            var entry = Entry(link.Peer);
            entry.Downstreams.Add(link);
            entry.HadDownstream = true;
        }
    }

    /// <summary>
    /// A link from a peer closed, its receive loop ended: its counts move to the peer's totals. A link closed
    /// neither by this node nor while it stops counts as failed. Node loop.
    /// </summary>
    public void Closed(UpstreamLink link, bool stopping)
    {
        lock (_peers)
        {
            var entry = Entry(link.Peer);
            if (entry.Upstreams.Remove(link))
            {
                entry.BytesReceived += link.BytesReceived;
                entry.MessagesReceived += link.MessagesReceived;
            }
        }

        if (!stopping)
            CountFailure(Upstream, link.CloseReason, link.CloseException, link.ClosedLocally, neverConnected: false);
    }

    /// <summary>A link to a peer closed, its send loop ended: its counts move to the peer's totals. Node loop.</summary>
    public void Closed(DownstreamLink link, bool stopping)
    {
        lock (_peers)
        {
            var entry = Entry(link.Peer);
            if (entry.Downstreams.Remove(link))
            {
                entry.BytesSent += link.BytesSent;
                entry.MessagesSent += link.MessagesSent;
                entry.EmulatedLoss += link.EmulatedLoss;
                entry.EmulatedLossBytes += link.EmulatedLossBytes;
            }
        }

        if (!stopping)
            CountFailure(Downstream, link.CloseReason, link.CloseException, link.ClosedLocally, link.NeverConnected);
    }

    /// <summary>Records a round-trip time measured on the link to <paramref name="peer"/>. Its I/O loop, once per pong.</summary>
    public void RecordRoundTrip(NodeId peer, TimeSpan roundTrip)
    {
        var histogram = _metrics.RoundTrip;
        if (!histogram.Enabled)
            return;
        string peerName;
        lock (_peers)
            peerName = Entry(peer).Name;
        // Two tags on the stack: nothing allocated, nothing boxed (the tag values are strings made once).
        histogram.Record(roundTrip.TotalSeconds, new KeyValuePair<string, object?>(OverlayMeter.NodeTag, NodeName), new KeyValuePair<string, object?>(OverlayMeter.PeerTag, peerName));
    }

    /// <summary>
    /// Why a link failed: the wire error that closed it; else, for a link this node did not close itself, that
    /// its connect never succeeded, the peer ended the stream, or the transport failed.
    /// </summary>
    internal static string? FailureReason(WireError reason, Exception? exception, bool closedLocally, bool neverConnected)
    {
        if (reason != WireError.None)
            return ReasonNames[(int)reason];
        if (closedLocally)
            return null;
        if (neverConnected)
            return "ConnectFailed";
        return exception is null ? "EndOfStream" : "TransportError";
    }

    internal void ObserveBytesSent(List<Measurement<long>> into) => ObserveSent(into, static l => l.BytesSent, static e => e.BytesSent);

    internal void ObserveMessagesSent(List<Measurement<long>> into) => ObserveSent(into, static l => l.MessagesSent, static e => e.MessagesSent);

    internal void ObserveBytesReceived(List<Measurement<long>> into) => ObserveReceived(into, static l => l.BytesReceived, static e => e.BytesReceived);

    internal void ObserveMessagesReceived(List<Measurement<long>> into) => ObserveReceived(into, static l => l.MessagesReceived, static e => e.MessagesReceived);

    internal void ObserveProcessed(List<Measurement<long>> into) => into.Add(new(_node.MessagesProcessedCount, _nodeTags));

    internal void ObserveMessagesLost(List<Measurement<long>> into)
    {
        into.Add(new(_node.MessagesLostCount, _linkClosedTags));
        into.Add(new(EmulatedLoss(bytes: false), _emulatedTags));
    }

    internal void ObserveBytesLost(List<Measurement<long>> into)
    {
        into.Add(new(_node.BytesLostCount, _linkClosedTags));
        into.Add(new(EmulatedLoss(bytes: true), _emulatedTags));
    }

    internal void ObserveBuffered(List<Measurement<long>> into)
    {
        lock (_peers)
        {
            foreach (var entry in _peers.Values)
            {
                foreach (var link in entry.Upstreams)
                    into.Add(new(link.Buffered, entry.UpstreamTags));
                foreach (var link in entry.Downstreams)
                    into.Add(new(link.Buffered, entry.DownstreamTags));
            }
        }
    }

    internal void ObserveRefused(List<Measurement<long>> into)
    {
        for (var i = 1; i < ReasonNames.Length; i++)
        {
            var count = _node.RejectedCount((WireError)i);
            if (count != 0)
                into.Add(new(count, _refusedTags[i]));
        }
    }

    private void CountFailure(string direction, WireError reason, Exception? exception, bool closedLocally, bool neverConnected)
    {
        var name = FailureReason(reason, exception, closedLocally, neverConnected);
        if (name is not null)
        {
            _metrics.LinkFailures.Add(
                1,
                new KeyValuePair<string, object?>(OverlayMeter.NodeTag, NodeName),
                new KeyValuePair<string, object?>(OverlayMeter.DirectionTag, direction),
                new KeyValuePair<string, object?>(OverlayMeter.ReasonTag, name));
        }
    }

    private long EmulatedLoss(bool bytes)
    {
        long total = 0;
        lock (_peers)
        {
            foreach (var entry in _peers.Values)
            {
                total += bytes ? entry.EmulatedLossBytes : entry.EmulatedLoss;
                foreach (var link in entry.Downstreams)
                    total += bytes ? link.EmulatedLossBytes : link.EmulatedLoss;
            }
        }

        return total;
    }

    // A peer's series adds its live links to what its closed links counted.
    private void ObserveSent(List<Measurement<long>> into, Func<DownstreamLink, long> live, Func<PeerEntry, long> closed)
    {
        lock (_peers)
        {
            foreach (var entry in _peers.Values)
            {
                if (!entry.HadDownstream)
                    continue;
                var total = closed(entry);
                foreach (var link in entry.Downstreams)
                    total += live(link);
                into.Add(new(total, entry.PeerTags));
            }
        }
    }

    private void ObserveReceived(List<Measurement<long>> into, Func<UpstreamLink, long> live, Func<PeerEntry, long> closed)
    {
        lock (_peers)
        {
            foreach (var entry in _peers.Values)
            {
                if (!entry.HadUpstream)
                    continue;
                var total = closed(entry);
                foreach (var link in entry.Upstreams)
                    total += live(link);
                into.Add(new(total, entry.PeerTags));
            }
        }
    }

    private PeerEntry Entry(NodeId peer)
    {
        if (!_peers.TryGetValue(peer, out var entry))
            _peers.Add(peer, entry = new PeerEntry(NodeName, peer.ToString()));
        return entry;
    }

    /// <summary>What the node counted with one peer: its live links, and what its closed links counted.</summary>
    private sealed class PeerEntry(string node, string peer)
    {
        public string Name { get; } = peer;

        public KeyValuePair<string, object?>[] PeerTags { get; } = [new(OverlayMeter.NodeTag, node), new(OverlayMeter.PeerTag, peer)];

        public KeyValuePair<string, object?>[] UpstreamTags { get; } = [new(OverlayMeter.NodeTag, node), new(OverlayMeter.PeerTag, peer), new(OverlayMeter.DirectionTag, Upstream)];

        public KeyValuePair<string, object?>[] DownstreamTags { get; } = [new(OverlayMeter.NodeTag, node), new(OverlayMeter.PeerTag, peer), new(OverlayMeter.DirectionTag, Downstream)];

        public List<UpstreamLink> Upstreams { get; } = [];

        public List<DownstreamLink> Downstreams { get; } = [];

        // Once a direction had a link, its series goes on after the link closes (a counter does not vanish).
        public bool HadDownstream { get; set; }

        public bool HadUpstream { get; set; }

        public long BytesSent { get; set; }

        public long MessagesSent { get; set; }

        public long BytesReceived { get; set; }

        public long MessagesReceived { get; set; }

        public long EmulatedLoss { get; set; }

        public long EmulatedLossBytes { get; set; }
    }
}
