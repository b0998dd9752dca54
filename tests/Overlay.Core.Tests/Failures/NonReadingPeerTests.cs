using NUnit.Framework;
using Overlay.Core.Tests.Support;

namespace Overlay.Core.Tests.Failures;

/// <summary>
/// A peer in another process that deliberately stops reading (its download limit holds it back) cannot answer
/// pings stuck behind the data it does not read; its heartbeats must keep the link alive.
/// </summary>
[Category("Integration")]
public class NonReadingPeerTests
{
    [Test, CancelAfter(60_000)]
    public async Task PeerThatStopsReading_SendsHeartbeats_AndTheLinkStaysUp()
    {
        var timeout = TimeSpan.FromSeconds(1);
        await using var overlay = new TestOverlay();
        var relay = new RelayAlgorithm();
        var a = await overlay.AddAsync(relay, o =>
        {
            o.FailureTimeout = timeout;
            o.SocketBufferSize = 16 * 1024;
        });
        // 100 B/s: after its first burst the peer reads one 1 KB frame every ten seconds.
        using var peer = await PeerProcess.StartAsync("--download-bps", "100", "--failure-timeout-ms", "1000");
        relay.Children.Add(peer.Id);
        await a.DeploySourceAsync(1, new SourceOptions { PayloadLength = 1000 });

        // Back pressure reached A: the kernel buffers are full and A's outbound buffer too, so A's pings are stuck
        // behind data the peer does not read.
        Assert.That(
            await Eventually.TrueAsync(() => a.GetStatistics().Find(peer.Id, LinkDirection.Downstream) is { } s && s.BufferedMessages == s.BufferCapacity, TimeSpan.FromSeconds(20)),
            Is.True,
            "A's outbound buffer filled");
        var stuck = a.GetStatistics().Find(peer.Id, LinkDirection.Downstream)!.Messages;
        var heard = a.WireBytesReceived;

        // Over five failure time-outs the peer's heartbeats are all A hears from it.
        await Task.Delay(timeout * 5);
        var statistics = a.GetStatistics();
        var link = statistics.Find(peer.Id, LinkDirection.Downstream);
        TestContext.Out.WriteLine($"A heard {a.WireBytesReceived - heard} bytes while the peer did not read; sent {link?.Messages - stuck} messages meanwhile");
        Assert.That(relay.Failures, Is.Empty, "the link was declared dead");
        Assert.That(statistics.LinksClosedByError, Is.Empty);
        Assert.That(link, Is.Not.Null);
        Assert.That(link!.IsConnected, Is.True);
        // Unthrottled, the peer would take tens of thousands of these in five seconds; what still went out filled kernel buffers.
        Assert.That(link.Messages - stuck, Is.LessThan(1000), "the peer really stopped reading");
        // A heartbeat is a 24-byte frame every fifth of the time-out: 25 are due; five prove they are sent.
        Assert.That(a.WireBytesReceived - heard, Is.GreaterThanOrEqualTo(5 * 24), "the peer sent heartbeats");
        peer.Kill();
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }
}
