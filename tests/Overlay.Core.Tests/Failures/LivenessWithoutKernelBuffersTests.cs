using NUnit.Framework;
using Overlay.Core.Tests.Support;
using Overlay.Transport.Tcp;

namespace Overlay.Core.Tests.Failures;

/// <summary>
/// Liveness on connections without the optional <see cref="Overlay.Transport.IKernelBuffers"/> capability (TCP with it
/// hidden, against a peer in a child process, since peers of one process share its fate and are not judged): a
/// frozen peer is still found by its silence, and an idle healthy one is still kept by keep-alives.
/// </summary>
[Category("Integration")]
public class LivenessWithoutKernelBuffersTests
{
    [Test, CancelAfter(60_000), Platform("Linux")]
    public async Task FrozenPeer_IsDeclaredDead_WithinTheFailureTimeout()
    {
        var timeout = TimeSpan.FromSeconds(1);
        await using var overlay = new TestOverlay();
        var relay = new RelayAlgorithm();
        var a = await overlay.AddAsync(relay, o => { o.FailureTimeout = timeout; o.Transport = new WithoutKernelBuffers(TcpTransportFactory.Instance); });
        using var peer = await PeerProcess.StartAsync("--send-to", a.Id.ToString(), "--failure-timeout-ms", "1000");
        relay.Children.Add(peer.Id);
        await a.DeploySourceAsync(1, new SourceOptions { PayloadLength = 1000 });
        Assert.That(await Eventually.TrueAsync(() => relay.ArrivalsFrom(peer.Id).Count > 100, TimeSpan.FromSeconds(20)), Is.True);

        var frozenAt = DateTime.UtcNow;
        peer.Freeze();
        Assert.That(
            await Eventually.TrueAsync(() => relay.Failures.Count(f => f.Peer == peer.Id) >= 2, TimeSpan.FromSeconds(10)),
            Is.True,
            "both links to the frozen peer are declared dead");
        var downstream = relay.Failures.Single(f => f.Peer == peer.Id && f.Type == MessageTypes.BrokenDownstream).At - frozenAt;
        TestContext.Out.WriteLine($"frozen peer without kernel byte counts: downstream declared dead {downstream.TotalMilliseconds:F0} ms after the freeze");
        Assert.That(downstream, Is.LessThanOrEqualTo(timeout + TimeSpan.FromMilliseconds(300)));
        Assert.That(a.GetStatistics().LinksClosedByError.GetValueOrDefault(Overlay.Wire.WireError.Silent), Is.GreaterThanOrEqualTo(1));
        peer.Kill();
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(60_000)]
    public async Task IdleHealthyPeer_StaysUp_OnKeepAlives()
    {
        await using var overlay = new TestOverlay();
        var relay = new RelayAlgorithm();
        var a = await overlay.AddAsync(relay, o => { o.FailureTimeout = TimeSpan.FromSeconds(1); o.Transport = new WithoutKernelBuffers(TcpTransportFactory.Instance); });
        using var peer = await PeerProcess.StartAsync();
        relay.Children.Add(peer.Id);
        await a.DeploySourceAsync(1, new SourceOptions { PayloadLength = 10, MessageLimit = 1 });
        Assert.That(await Eventually.TrueAsync(() => a.GetStatistics().Downstreams.Count == 1, TimeSpan.FromSeconds(10)), Is.True);

        var heard = a.WireBytesReceived;
        await Task.Delay(TimeSpan.FromSeconds(5)); // five failure time-outs without data: the link must survive them
        Assert.That(await Eventually.TrueAsync(() => a.WireBytesReceived > heard, TimeSpan.FromSeconds(10)), Is.True, "the peer answered keep-alive pings");
        Assert.That(relay.Failures, Is.Empty);
        Assert.That(a.GetStatistics().LinksClosedByError, Is.Empty);
        peer.Kill();
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }
}
