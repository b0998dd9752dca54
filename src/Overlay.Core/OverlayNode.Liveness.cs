using Microsoft.Extensions.Logging;

namespace Overlay;

// Failure detection beyond socket errors: keep-alives on idle links and silence time-outs.
//
// Runs on a timer thread, not the node's loop, so that a node whose algorithm is busy still answers for itself.
// It only reads the link snapshots and calls the links' thread-safe methods.
public sealed partial class OverlayNode
{
    private ITimer? _livenessTimer;

    /// <summary>How many times a link retries connecting before it gives up.</summary>
    internal int ConnectRetries => _options.ConnectRetries;

    // Keep-alives go every fifth of the time-out, and three intervals of silence declare the peer dead: a frozen
    // peer is found within one time-out (0.6 silence + up to 0.2 since its last keep-alive + up to 0.2 until the
    // next check), and a live one must miss two keep-alives in a row first.
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

    private void StartLiveness() =>
        _livenessTimer = TimeProvider.CreateTimer(
            static state => ((OverlayNode)state!).CheckLiveness(),
            this,
            KeepAliveInterval,
            KeepAliveInterval);

    private void StopLiveness() => _livenessTimer?.Dispose();

    private void CheckLiveness()
    {
        var now = TimeProvider.GetTimestamp();
        foreach (var link in Volatile.Read(ref _downstreamSnapshot))
        {
            if (!link.IsConnected)
                continue;
            if (TimeProvider.GetElapsedTime(link.LastHeard, now) > SilenceLimit)
            {
                LogSilent(link.Peer, "downstream");
                link.CloseSilent();
                continue;
            }

            // Only an idle direction carries keep-alives: data is proof enough of life.
            if (TimeProvider.GetElapsedTime(link.LastSent, now) >= IdleEnough)
                link.RequestKeepAlive();
        }

        foreach (var link in Volatile.Read(ref _upstreamSnapshot))
        {
            if (!link.IsBlocked && TimeProvider.GetElapsedTime(link.LastHeard, now) > SilenceLimit)
            {
                LogSilent(link.Peer, "upstream");
                link.CloseSilent();
                continue;
            }

            if (TimeProvider.GetElapsedTime(link.LastReplied, now) >= IdleEnough)
                link.SendHeartbeat();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Peer {Peer} went silent on the {Direction} link; closing it")]
    private partial void LogSilent(NodeId peer, string direction);
}
