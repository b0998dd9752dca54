using NUnit.Framework;
using Overlay.Core.Tests.Support;

namespace Overlay.Core.Tests.Failures;

[Category("Integration")]
public class PeerFailureTests
{
    [Test, CancelAfter(60_000)]
    public async Task KilledPeerProcess_IsDetectedAtOnce_ByItsClosedSockets_NotBySilence()
    {
        // The kernel closes a killed process's sockets, so both links break at once. A failure time-out far longer
        // than the detection allowed below shows that the closed sockets, not the silence check, found the failure;
        // the allowance itself is only scheduling slack for a loaded machine (about 50 ms on a quiet one).
        var failureTimeout = TimeSpan.FromSeconds(60);
        await using var overlay = new TestOverlay();
        var relay = new RelayAlgorithm();
        var a = await overlay.AddAsync(relay, o => o.FailureTimeout = failureTimeout);
        using var peer = await PeerProcess.StartAsync("--send-to", a.Id.ToString(), "--failure-timeout-ms", "60000");
        relay.Children.Add(peer.Id);
        await a.DeploySourceAsync(1, new SourceOptions { PayloadLength = 1000 });
        Assert.That(await Eventually.TrueAsync(() => relay.ArrivalsFrom(peer.Id).Count > 100 && a.GetStatistics().Downstreams.Count == 1, TimeSpan.FromSeconds(20)), Is.True);

        var killedAt = DateTime.UtcNow;
        peer.Kill();
        Assert.That(
            await Eventually.TrueAsync(() => relay.Failures.Count(f => f.Peer == peer.Id) >= 2, TimeSpan.FromSeconds(20)),
            Is.True,
            "both links to the killed peer are reported broken");
        var detection = relay.Failures.Where(f => f.Peer == peer.Id).Max(f => f.At) - killedAt;
        TestContext.Out.WriteLine($"killed peer detected after {detection.TotalMilliseconds:F0} ms ({string.Join(", ", relay.Failures.Select(f => f.Type))})");
        Assert.That(detection, Is.LessThan(failureTimeout / 6));
        Assert.That(a.GetStatistics().LinksClosedByError.GetValueOrDefault(Overlay.Wire.WireError.Silent), Is.Zero, "no link was closed for silence");
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(60_000), Platform("Linux")]
    public async Task FrozenPeerProcess_IsDetectedWithinTheFailureTimeout()
    {
        var timeout = TimeSpan.FromSeconds(1);
        await using var overlay = new TestOverlay();
        var relay = new RelayAlgorithm();
        var a = await overlay.AddAsync(relay, o => o.FailureTimeout = timeout);
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
        // A frozen process's kernel still delivers what it had buffered, so the upstream's silence starts at the last arrival.
        var lastArrival = relay.LastArrivalFrom(peer.Id);
        var downstream = relay.Failures.Single(f => f.Peer == peer.Id && f.Type == MessageTypes.BrokenDownstream).At - frozenAt;
        var upstream = relay.Failures.Single(f => f.Peer == peer.Id && f.Type == MessageTypes.BrokenUpstream).At - (lastArrival > frozenAt ? lastArrival : frozenAt);
        TestContext.Out.WriteLine($"frozen peer: downstream declared dead {downstream.TotalMilliseconds:F0} ms after the freeze, "
            + $"upstream {upstream.TotalMilliseconds:F0} ms after its last data ({(lastArrival - frozenAt).TotalMilliseconds:F0} ms after the freeze)");
        var slack = TimeSpan.FromMilliseconds(300); // scheduling on a loaded 2-core machine
        Assert.That(downstream, Is.LessThanOrEqualTo(timeout + slack));
        Assert.That(upstream, Is.LessThanOrEqualTo(timeout + slack));
        Assert.That(a.GetStatistics().LinksClosedByError.GetValueOrDefault(Overlay.Wire.WireError.Silent), Is.GreaterThanOrEqualTo(1));
        peer.Kill();
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(90_000)]
    public async Task IdleHealthyLinks_AreNotDeclaredDead_Over30Seconds()
    {
        await using var overlay = new TestOverlay();
        var left = new RelayAlgorithm { Deduplicate = true };
        var right = new RelayAlgorithm { Deduplicate = true };
        var a = await overlay.AddAsync(left);
        var b = await overlay.AddAsync(right);
        left.Children.Add(b.Id);
        right.Children.Add(a.Id);
        await a.DeploySourceAsync(1, new SourceOptions { PayloadLength = 10, MessageLimit = 1 });
        await b.DeploySourceAsync(2, new SourceOptions { PayloadLength = 10, MessageLimit = 1 });
        Assert.That(await Eventually.TrueAsync(() => left.Delivered == 2 && right.Delivered == 2, TimeSpan.FromSeconds(10)), Is.True);
        // A sent its own message and relays B's; the send loop counts a message after writing it, a moment after
        // the relay delivered it, so wait for both sends to be counted before the idle window starts.
        Assert.That(await Eventually.TrueAsync(() => a.GetStatistics().Downstreams is [{ Messages: 2 }], TimeSpan.FromSeconds(10)), Is.True);

        var before = a.GetStatistics();
        await Task.Delay(TimeSpan.FromSeconds(30));
        var after = a.GetStatistics();
        Assert.That(left.Failures, Is.Empty);
        Assert.That(right.Failures, Is.Empty);
        Assert.That(after.Upstreams, Has.Count.EqualTo(1));
        Assert.That(after.Downstreams, Has.Count.EqualTo(1));
        Assert.That(after.LinksClosedByError, Is.Empty);
        Assert.That(after.Downstreams[0].Messages, Is.EqualTo(before.Downstreams[0].Messages), "keep-alives are not data");
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(60_000)]
    public async Task IdleLinkToAnotherProcess_CarriesKeepAlives_AndStaysUp()
    {
        // Nodes of one process skip keep-alives between them (they share its fate), so the keep-alive path is
        // exercised against a peer in a child process.
        await using var overlay = new TestOverlay();
        var relay = new RelayAlgorithm();
        var a = await overlay.AddAsync(relay, o => o.FailureTimeout = TimeSpan.FromSeconds(1));
        using var peer = await PeerProcess.StartAsync();
        relay.Children.Add(peer.Id);
        await a.DeploySourceAsync(1, new SourceOptions { PayloadLength = 10, MessageLimit = 1 });
        Assert.That(await Eventually.TrueAsync(() => a.GetStatistics().Downstreams.Count == 1, TimeSpan.FromSeconds(10)), Is.True);

        var heard = a.WireBytesReceived;
        await Task.Delay(TimeSpan.FromSeconds(5)); // five failure time-outs without data: the link must survive them
        Assert.That(await Eventually.TrueAsync(() => a.WireBytesReceived > heard, TimeSpan.FromSeconds(10)), Is.True, "the peer answered keep-alive pings on the idle link");
        var statistics = a.GetStatistics();
        Assert.That(relay.Failures, Is.Empty);
        Assert.That(statistics.LinksClosedByError, Is.Empty);
        Assert.That(statistics.Downstreams, Has.Count.EqualTo(1));
        peer.Kill();
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(60_000)]
    public async Task DominoEffect_OneOverride_PassesAFailureDownATree()
    {
        await using var overlay = new TestOverlay();
        var relays = Enumerable.Range(0, 4).Select(_ => new DominoRelay()).ToArray();
        var nodes = new List<OverlayNode>();
        foreach (var relay in relays)
            nodes.Add(await overlay.AddAsync(relay));
        for (var i = 0; i < 3; i++)
            relays[i].Children.Add(nodes[i + 1].Id);
        await nodes[0].DeploySourceAsync(1, new SourceOptions { PayloadLength = 100 });
        Assert.That(await Eventually.TrueAsync(() => relays[3].Delivered > 100, TimeSpan.FromSeconds(20)), Is.True);

        await nodes[0].TerminateAsync();
        Assert.That(await Eventually.TrueAsync(() => relays[3].Failures.Any(f => f.Type == MessageTypes.BrokenUpstream), TimeSpan.FromSeconds(10)), Is.True);
        Assert.That(relays[2].Children, Is.Empty);
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    /// <summary>When its upstream breaks, it cuts its children off: the domino effect in one override.</summary>
    private sealed class DominoRelay : RelayAlgorithm
    {
        protected override void OnBrokenUpstream(NodeId peer)
        {
            base.OnBrokenUpstream(peer);
            foreach (var child in Children.ToArray())
                Disconnect(child);
        }
    }
}
