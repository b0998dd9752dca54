using Microsoft.Extensions.Logging;
using Overlay.Engine;
using Overlay.Transport;
using Overlay.Wire;

namespace Overlay;

// Link lifecycle: opening, accepting and tearing down links, all on the node's loop.
public sealed partial class OverlayNode
{
    private readonly Dictionary<NodeId, UpstreamLink> _upstreams = [];
    private readonly Dictionary<NodeId, DownstreamLink> _downstreams = [];
    private UpstreamLink[] _upstreamSnapshot = [];
    private DownstreamLink[] _downstreamSnapshot = [];
    private ITimer? _stopDeadline;
    private int _linksOpened;

    /// <summary>True when links size their kernel buffers to emulated limits (no explicit socket buffer size set).</summary>
    internal bool SizesKernelBuffers => _options.SocketBufferSize is null;

    /// <summary>Changes so far to any emulated limit of this node (node budgets and links).</summary>
    internal int LimitChangeCount => _limitChanges.Count;

    /// <summary>The tightest emulated limit set anywhere on this node, or infinity when none is. Any thread.</summary>
    internal double TightestLimit()
    {
        var rate = Math.Min(TotalBucket.Rate, Math.Min(UploadBucket.Rate, DownloadBucket.Rate));
        lock (_linkBuckets)
        {
            foreach (var entry in _linkBuckets.Values)
                rate = Math.Min(rate, entry.Bucket.Rate);
        }

        return rate;
    }

    private DownstreamLink GetOrOpenDownstream(NodeId peer)
    {
        if (_downstreams.TryGetValue(peer, out var link))
            return link;
        link = new DownstreamLink(this, peer, _options.BufferCapacity, TimeProvider.GetTimestamp(), _linksOpened++);
        _downstreams.Add(peer, link);
        Algorithm.LearnHost(peer);
        _metrics?.Opened(link);
        link.Start(_transport!);
        UpdateSnapshots();
        return link;
    }

    private void OnLinkAccepted(IConnection connection)
    {
        if (_stopping)
        {
            connection.Abort();
            _ = connection.DisposeAsync();
            return;
        }

        if (_upstreams.Remove(connection.Remote, out var previous))
        {
            // The peer reconnected; its old link is dead even if we have not noticed yet.
            RemoveInput(previous);
            previous.Close();
        }

        var link = new UpstreamLink(this, connection, _options.BufferCapacity, TimeProvider.GetTimestamp());
        _upstreams.Add(connection.Remote, link);
        Algorithm.LearnHost(connection.Remote);
        AddInput(link);
        ApplyUpstreamWeight(link);
        _metrics?.Opened(link);
        link.Start();
        UpdateSnapshots();
        ApplyUpstreamWeight(link); // again: a weight set before the link was in the snapshot (see ApplyUpstreamWeight)
        LogUpstreamOpened(connection.Remote);
    }

    private void OnUpstreamClosed(UpstreamLink link)
    {
        var current = _upstreams.TryGetValue(link.Peer, out var registered) && registered == link;
        if (current)
            _upstreams.Remove(link.Peer);
        RemoveInput(link);
        link.DrainAfterClose();
        ReleaseLinkBucket(link.Peer, LinkDirection.Upstream);
        _metrics?.Closed(link, _stopping);
        if (link.CloseReason != WireError.None)
        {
            Interlocked.Increment(ref _closedByError[(int)link.CloseReason]);
            LogUpstreamMalformed(link.Peer, link.CloseReason, link.CloseException?.Message ?? string.Empty);
        }
        else
        {
            LogUpstreamClosed(link.Peer, link.CloseException?.Message ?? "end of stream");
        }

        UpdateSnapshots();
        if (current)
            Notify(MessageTypes.BrokenUpstream, link.Peer);
    }

    private void OnDownstreamClosed(DownstreamLink link)
    {
        var current = _downstreams.TryGetValue(link.Peer, out var registered) && registered == link;
        if (current)
            _downstreams.Remove(link.Peer);
        var lost = link.DrainAfterClose() + DropWaiting(link);
        _blockedLinks.Remove(link);
        if (link.WritableWanted)
        {
            // A closed link never gets room again: the algorithm hears BrokenDownstream or SendFailed instead.
            _writableWatch.Remove(link);
            link.WritableWanted = false;
        }

        ReleaseLinkBucket(link.Peer, LinkDirection.Downstream);
        _metrics?.Closed(link, _stopping);
        UpdateSnapshots();
        if (link.CloseReason != WireError.None)
            Interlocked.Increment(ref _closedByError[(int)link.CloseReason]);
        if (_stopping)
            return;
        LogDownstreamClosed(link.Peer, lost, link.CloseException?.Message ?? "closed");
        if (current)
            Notify(link.NeverConnected ? MessageTypes.SendFailed : MessageTypes.BrokenDownstream, link.Peer);
        FailMeasurementsOf(link.Peer);
    }

    /// <summary>Releases the sends waiting for <paramref name="link"/>; their inputs may go on.</summary>
    private int DropWaiting(DownstreamLink link)
    {
        var dropped = 0;
        while (link.Waiting.TryDequeue(out var pending))
        {
            CountLost(pending.Message);
            pending.Message.Release();
            dropped++;
            SettlePendingSend(pending.Input);
        }

        return dropped;
    }

    private void UpdateSnapshots()
    {
        Volatile.Write(ref _upstreamSnapshot, [.. _upstreams.Values]);
        Volatile.Write(ref _downstreamSnapshot, [.. _downstreams.Values]);
    }

    [LoggerMessage(EventId = 2001, EventName = "UpstreamOpened", Level = LogLevel.Debug, Message = "Upstream link from {Peer} opened")]
    private partial void LogUpstreamOpened(NodeId peer);

    [LoggerMessage(EventId = 2002, EventName = "UpstreamClosed", Level = LogLevel.Information, Message = "Upstream link from {Peer} closed: {Detail}")]
    private partial void LogUpstreamClosed(NodeId peer, string detail);

    [LoggerMessage(EventId = 2003, EventName = "UpstreamMalformed", Level = LogLevel.Warning, Message = "Upstream link from {Peer} closed after a malformed frame: {Reason} {Detail}")]
    private partial void LogUpstreamMalformed(NodeId peer, WireError reason, string detail);

    [LoggerMessage(EventId = 2004, EventName = "DownstreamClosed", Level = LogLevel.Information, Message = "Downstream link to {Peer} closed, {Lost} messages lost: {Detail}")]
    private partial void LogDownstreamClosed(NodeId peer, int lost, string detail);
}
