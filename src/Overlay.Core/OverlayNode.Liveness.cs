using Microsoft.Extensions.Logging;
using Overlay.Engine;
using Overlay.Transport;

namespace Overlay;

// Failure detection beyond socket errors: keep-alive pings to idle peers and silence time-outs, for peers in other
// worlds (nodes of one world share its fate, see Runtime/LocalNodes).
//
// Runs on a timer thread (one SharedTicker for all nodes of the world), not the node's loop, so that a node whose
// algorithm is busy still answers for itself. It only reads the link snapshots and calls the links' thread-safe methods.
public sealed partial class OverlayNode
{
    // Timer callback only (guarded by _checking): per check, when each peer last got a frame from this node.
    private readonly Dictionary<NodeId, long> _peerTold = [];
    private IDisposable? _livenessTicks;
    private SilenceJudge? _silenceJudge;
    private int _checking;

    /// <summary>How many times a link retries connecting before it gives up.</summary>
    internal int ConnectRetries => _options.ConnectRetries;

    // Keep-alives go every fifth of the time-out, and three intervals of silence declare the peer dead: a frozen
    // peer is found within one time-out (0.6 silence + up to 0.2 since its last keep-alive + up to 0.2 until the
    // next check), and a live one must miss two keep-alives in a row first. Silence is counted in checks that ran
    // as well as in time (see SilenceJudge): a stall of this process counts as one check, not as the peer's silence,
    // which delays a verdict on a frozen peer by at most two intervals after this process runs again.
    private TimeSpan KeepAliveInterval => _options.FailureTimeout / 5;

    private TimeSpan SilenceLimit => KeepAliveInterval * 3;

    // Timer ticks jitter; "idle for most of an interval" keeps a tick from being skipped for a few microseconds.
    private TimeSpan IdleEnough => KeepAliveInterval / 2;

    /// <summary>Every byte this node has read from its links, link-internal frames included (for overhead measurements).</summary>
    internal long WireBytesReceived
    {
        get
        {
            var total = 0L;
            foreach (var link in Volatile.Read(ref _upstreamSnapshot))
                total += link.Connection.BytesReceived;
            foreach (var link in Volatile.Read(ref _downstreamSnapshot))
                total += link.ReverseBytesReceived;
            return total;
        }
    }

    private void StartLiveness()
    {
        _silenceJudge = new SilenceJudge(TimeProvider, KeepAliveInterval, SilenceLimit);
        Runtime.Nodes.Add(Id);
        _livenessTicks = Runtime.Tickers.Subscribe(TimeProvider, KeepAliveInterval, static state => ((OverlayNode)state).CheckLiveness(), this);
    }

    private void StopLiveness()
    {
        _livenessTicks?.Dispose();
        Runtime.Nodes.Remove(Id);
    }

    /// <summary>Liveness checks that ran late because this process was starved or suspended.</summary>
    internal long LateLivenessChecks => _silenceJudge?.LateChecks ?? 0;

    /// <summary>Peers the silence judge keeps state for (peers in other processes with a link open).</summary>
    internal int PeersJudged => _silenceJudge?.PeerCount ?? 0;

    private void CheckLiveness()
    {
        // A late tick can overlap the next one on another pool thread; the judge and the tables are not shared.
        if (Interlocked.Exchange(ref _checking, 1) != 0)
            return;
        try
        {
            var downstreams = Volatile.Read(ref _downstreamSnapshot);
            var upstreams = Volatile.Read(ref _upstreamSnapshot);
            var now = _silenceJudge!.BeginCheck();

            // Tallied even with no links left: the tally is where the judge forgets peers whose last link closed.
            TallyContacts(downstreams, upstreams);
            CheckDownstreams(downstreams, now);
            CheckUpstreams(upstreams, now);
        }
        finally
        {
            Volatile.Write(ref _checking, 0);
        }
    }

    // Liveness is a property of the peer, not of one connection: both connections with a peer end in the same
    // process (and a peer in this very process shares its fate, so it is left out). So a frame heard on either counts for both, and one frame sent on either keeps the peer informed;
    // on an idle pair of links one ping and its pong serve both nodes, where every direction had its own before.
    private void TallyContacts(DownstreamLink[] downstreams, UpstreamLink[] upstreams)
    {
        var judge = _silenceJudge!;
        _peerTold.Clear();
        foreach (var link in upstreams)
        {
            if (Runtime.Nodes.Contains(link.Peer))
                continue;
            judge.Heard(link.Peer, link.LastHeard);
            Latest(_peerTold, link.Peer, link.LastReplied);
        }

        foreach (var link in downstreams)
        {
            if (!link.IsConnected || Runtime.Nodes.Contains(link.Peer))
                continue;
            judge.Heard(link.Peer, link.LastHeard);
            Latest(_peerTold, link.Peer, link.LastSent);
        }

        judge.EndTally();
    }

    private void CheckDownstreams(DownstreamLink[] downstreams, long now)
    {
        foreach (var link in downstreams)
        {
            // Peers in this world are not tallied (see LocalNodes); a link that connected after the tally waits.
            if (!link.IsConnected || !_peerTold.ContainsKey(link.Peer))
                continue;
            if (IsSilent(link.Peer, now))
            {
                LogSilent(link.Peer, "downstream");
                link.CloseSilent();
                continue;
            }

            // Only an idle peer gets a keep-alive (a ping, which its pong answers): data is proof enough of life.
            if (TimeProvider.GetElapsedTime(_peerTold[link.Peer], now) >= IdleEnough)
            {
                link.RequestKeepAlive();
                _peerTold[link.Peer] = now;
            }
        }
    }

    private void CheckUpstreams(UpstreamLink[] upstreams, long now)
    {
        foreach (var link in upstreams)
        {
            if (!_peerTold.ContainsKey(link.Peer))
                continue;
            if (!link.IsBlocked && IsSilent(link.Peer, now))
            {
                LogSilent(link.Peer, "upstream");
                link.CloseSilent();
                continue;
            }

            // A heartbeat goes only when nothing else told the peer this node lives: no pong, no ping, no data
            // on the opposite link. A receiver that deliberately does not read cannot pong, so it heartbeats.
            if (TimeProvider.GetElapsedTime(_peerTold[link.Peer], now) >= IdleEnough)
            {
                link.SendHeartbeat();
                _peerTold[link.Peer] = now;
            }
        }
    }

    private bool IsSilent(NodeId peer, long now) => _silenceJudge!.IsQuiet(peer, now) && !HasUnreadBytesFrom(peer);

    // Frames from a live peer wait in the kernel while this process is too starved to read them: proof of life.
    // Not so on an upstream that deliberately stopped reading: what waits there may be all a frozen peer ever sent.
    // Asked only of quiet peers, since each question is a system call. A transport without kernel buffers beneath it
    // (no IKernelBuffers: the in-memory one) has no such proof to give, and its peers are judged by what was heard.
    private bool HasUnreadBytesFrom(NodeId peer)
    {
        foreach (var link in Volatile.Read(ref _downstreamSnapshot))
        {
            if (link.Peer == peer && link.ReverseBytesWaiting > 0)
                return true;
        }

        foreach (var link in Volatile.Read(ref _upstreamSnapshot))
        {
            if (link.Peer == peer && !link.IsBlocked && link.Connection is IKernelBuffers kernel && kernel.BytesWaiting > 0)
                return true;
        }

        return false;
    }

    private static void Latest(Dictionary<NodeId, long> table, NodeId peer, long stamp)
    {
        if (!table.TryGetValue(peer, out var known) || stamp > known)
            table[peer] = stamp;
    }

    [LoggerMessage(EventId = 2010, EventName = "PeerSilent", Level = LogLevel.Warning, Message = "Peer {Peer} went silent on the {Direction} link; closing it")]
    private partial void LogSilent(NodeId peer, string direction);
}
