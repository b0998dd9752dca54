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

    // Keep-alives go every quarter of the time-out; silence of half the time-out declares the peer dead, so a
    // frozen peer is found within about one time-out, and an alive one has missed at least two keep-alives first.
    private TimeSpan KeepAliveInterval => _options.FailureTimeout / 4;

    private TimeSpan SilenceLimit => _options.FailureTimeout / 2;

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
            if (TimeProvider.GetElapsedTime(link.LastSent, now) >= KeepAliveInterval)
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

            if (TimeProvider.GetElapsedTime(link.LastReplied, now) >= KeepAliveInterval)
                link.SendHeartbeat();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Peer {Peer} went silent on the {Direction} link; closing it")]
    private partial void LogSilent(NodeId peer, string direction);
}
