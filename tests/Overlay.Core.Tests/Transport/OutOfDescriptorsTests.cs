using System.Diagnostics;
using System.Net.Sockets;
using NUnit.Framework;
using Overlay.Core.Tests.Support;
using Overlay.Transport;
using Overlay.Wire;

namespace Overlay.Core.Tests.Transport;

/// <summary>A node whose process runs out of file descriptors keeps its links, pauses accepting, and recovers.</summary>
[Category("Integration")]
public class OutOfDescriptorsTests
{
    private const int DescriptorLimit = 256;
    private const int IdleConnections = 300;

    [Test, CancelAfter(180_000), Platform("Linux")]
    public async Task IdleConnectionsBeyondTheDescriptorLimit_PauseAccepting_WhileTheFlowGoesOn_AndAcceptingResumesWhenTheyClose()
    {
        await using var overlay = new TestOverlay();
        var relay = new RelayAlgorithm();
        var a = await overlay.AddAsync(relay);

        // The peer streams to A from a process limited to 256 descriptors. Its handshake cap and time-out are raised so
        // that the idle connections below do run it out of descriptors and keep it out until they close.
        using var peer = await PeerProcess.StartAsync(
            DescriptorLimit, "--send-to", a.Id.ToString(), "--max-pending-handshakes", "100000", "--handshake-timeout-ms", "600000");
        Assert.That(await Eventually.TrueAsync(() => relay.Delivered > 1000, TimeSpan.FromSeconds(30)), Is.True, "the flow runs");
        TestContext.Out.WriteLine($"peer holds {peer.OpenDescriptors} descriptors before the idle connections");

        var idle = new List<Socket>();
        try
        {
            for (var i = 0; i < IdleConnections; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                idle.Add(socket);
                await socket.ConnectAsync(peer.Id.ToEndPoint()); // completes in the kernel's backlog, accepted or not
            }

            // The peer runs out of descriptors: its accepts fail and it pauses them.
            var clock = Stopwatch.StartNew();
            IReadOnlyDictionary<string, long> stats = await peer.StatsAsync();
            while (stats["acceptBackOffs"] == 0 && clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(100);
                stats = await peer.StatsAsync();
            }

            Assert.That(stats["acceptBackOffs"], Is.GreaterThan(0), "the peer ran out of descriptors: " + Describe(stats));
            var episode = Stopwatch.StartNew();
            var backOffsAtStart = stats["acceptBackOffs"];
            var deliveredAtStart = relay.Delivered;

            // While it cannot accept, the flow on the link it already had goes on, for seconds (long enough for a
            // process without spare descriptors to abort), and the process stays clear of its limit.
            Assert.That(
                await Eventually.TrueAsync(
                    () => (relay.Delivered > deliveredAtStart + 20_000 && episode.Elapsed > TimeSpan.FromSeconds(5)) || peer.HasExited,
                    TimeSpan.FromSeconds(60)),
                Is.True);
            Assert.That(peer.HasExited, Is.False, "the node is up");
            Assert.That(relay.Delivered, Is.GreaterThan(deliveredAtStart + 20_000), "the flow went on during the episode");
            stats = await peer.StatsAsync();
            var open = peer.OpenDescriptors;
            Assert.That(stats["accepted"], Is.LessThan(IdleConnections), "still out of descriptors meanwhile (some connections wait unaccepted): " + Describe(stats));
            Assert.That(open, Is.LessThanOrEqualTo(DescriptorLimit - 8), "the spare descriptors went to the rest of the process");

            // It backed off rather than retrying at once: a retry at once fails about ten thousand times a second.
            var perSecond = (stats["acceptBackOffs"] - backOffsAtStart) / Math.Max(1, episode.Elapsed.TotalSeconds);
            TestContext.Out.WriteLine(
                $"episode: {episode.Elapsed.TotalSeconds:F1} s, {relay.Delivered - deliveredAtStart} messages delivered, {perSecond:F1} accept back-offs/s; {Describe(stats)}");
            Assert.That(perSecond, Is.LessThan(50));
        }
        finally
        {
            foreach (var socket in idle)
                socket.Dispose();
        }

        // Descriptors come free: the peer accepts again and completes a handshake.
        var accepted = (await peer.StatsAsync())["accepted"];
        Assert.That(await HandshakeSucceedsAsync(peer.Id, overlay), Is.True, "a new connection is accepted and handshaken");
        var after = await peer.StatsAsync();
        Assert.That(after["accepted"], Is.GreaterThan(accepted));
        var deliveredAfter = relay.Delivered;
        Assert.That(await Eventually.TrueAsync(() => relay.Delivered > deliveredAfter + 1000, TimeSpan.FromSeconds(30)), Is.True, "the flow still runs");
        Assert.That(peer.HasExited, Is.False);

        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(180_000), Platform("Linux")]
    public async Task AThousandIdleConnections_AtTheCommonLimitOf1024_WithDefaultOptions_LeaveTheNodeUpAndItsFlowRunning()
    {
        // With every descriptor taken, the runtime itself fails (it needs descriptors for new code, and aborts with
        // "Out of memory"): the handshake cap keeps connections that proved nothing from taking them all.
        const int Limit = 1024;
        const int Connections = 1000;
        await using var overlay = new TestOverlay();
        var relay = new RelayAlgorithm();
        var a = await overlay.AddAsync(relay);
        using var peer = await PeerProcess.StartAsync(Limit, "--send-to", a.Id.ToString());
        Assert.That(await Eventually.TrueAsync(() => relay.Delivered > 1000, TimeSpan.FromSeconds(30)), Is.True, "the flow runs");

        var idle = new List<Socket>();
        try
        {
            for (var i = 0; i < Connections; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                idle.Add(socket);
                try
                {
                    await socket.ConnectAsync(peer.Id.ToEndPoint());
                }
                catch (SocketException)
                {
                    // Refused past the cap (closed at once) while this side was still connecting.
                }
            }

            var deliveredAtStart = relay.Delivered;
            Assert.That(
                await Eventually.TrueAsync(() => relay.Delivered > deliveredAtStart + 50_000 || peer.HasExited, TimeSpan.FromSeconds(60)),
                Is.True);
            var stats = await peer.StatsAsync();
            TestContext.Out.WriteLine($"{peer.OpenDescriptors} descriptors open; {relay.Delivered - deliveredAtStart} messages since the connections; {Describe(stats)}");
            Assert.That(peer.HasExited, Is.False, "the node is up");
            Assert.That(stats["refused"], Is.GreaterThan(0), "connections past the cap were refused");
            Assert.That(peer.OpenDescriptors, Is.LessThan(Limit));
        }
        finally
        {
            foreach (var socket in idle)
                socket.Dispose();
        }

        Assert.That(await HandshakeSucceedsAsync(peer.Id, overlay), Is.True, "a new connection is accepted and handshaken");
        var deliveredAfter = relay.Delivered;
        Assert.That(await Eventually.TrueAsync(() => relay.Delivered > deliveredAfter + 1000, TimeSpan.FromSeconds(30)), Is.True, "the flow still runs");
        Assert.That(peer.HasExited, Is.False);
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    private static async Task<bool> HandshakeSucceedsAsync(NodeId peer, TestOverlay overlay)
    {
        // The accept loop may still be in a back-off pause (at most a second) when the descriptors come free.
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            using var reader = new FrameReader(overlay.Pool, 1024);
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await socket.ConnectAsync(peer.ToEndPoint(), limit.Token);
                var answer = await HandshakeExchange.ConnectAsync(new Overlay.Transport.Tcp.SocketFrameSource(socket), reader, new Handshake(new NodeId(0x7F000001, 40_001), 0), null, limit.Token);
                return answer.ListenEndpoint == peer;
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException or WireFormatException)
            {
                TestContext.Out.WriteLine($"handshake attempt failed: {ex.Message}");
            }
        }

        return false;
    }

    private static string Describe(IReadOnlyDictionary<string, long> stats) => string.Join(", ", stats.Select(pair => $"{pair.Key}={pair.Value}"));
}
