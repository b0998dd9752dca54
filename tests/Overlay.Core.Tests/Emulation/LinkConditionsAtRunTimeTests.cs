using NUnit.Framework;
using Overlay.Emulation;

namespace Overlay.Core.Tests.Emulation;

/// <summary>SetLinkConditions on a link that is open and busy takes effect on the messages that follow.</summary>
[Category("Integration")]
public class LinkConditionsAtRunTimeTests
{
    [Test, CancelAfter(60_000)]
    public async Task LossSetOnAnOpenLink_DropsFromNowOn_AndClearingItStopsTheDrops()
    {
        await using var overlay = new TestOverlay();
        var sender = new RelayAlgorithm();
        var a = await overlay.AddAsync(sender);
        var receiver = new RelayAlgorithm();
        var b = await overlay.AddAsync(receiver);
        sender.Children.Add(b.Id);
        a.SetLinkBandwidth(b.Id, LinkDirection.Downstream, 200_000);
        await a.DeploySourceAsync(1, new SourceOptions { PayloadLength = 1000 });
        Assert.That(await Eventually.TrueAsync(() => receiver.Delivered > 50, TimeSpan.FromSeconds(20)), Is.True);
        Assert.That(Loss(a, b), Is.Zero);

        a.SetLinkConditions(b.Id, new LinkConditions { LossRate = 1 });
        Assert.That(await Eventually.TrueAsync(() => Loss(a, b) > 100, TimeSpan.FromSeconds(20)), Is.True, "the open link drops everything");

        a.SetLinkConditions(b.Id, LinkConditions.None);
        var delivered = receiver.Delivered;
        Assert.That(await Eventually.TrueAsync(() => receiver.Delivered > delivered + 50, TimeSpan.FromSeconds(20)), Is.True, "data flows again");
        var loss = Loss(a, b);
        delivered = receiver.Delivered;
        Assert.That(await Eventually.TrueAsync(() => receiver.Delivered > delivered + 100, TimeSpan.FromSeconds(20)), Is.True);
        Assert.That(Loss(a, b), Is.EqualTo(loss), "nothing more was dropped once the loss was cleared");
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(60_000)]
    public async Task DelaySetOnAnOpenLink_ShowsInTheRoundTrip_AndClearingItRemovesIt()
    {
        await using var overlay = new TestOverlay();
        var sender = new Trickle();
        var a = await overlay.AddAsync(sender, o => o.MeasurementInterval = TimeSpan.FromMilliseconds(100));
        var b = await overlay.AddAsync(new RelayAlgorithm());
        // A small message every 10 ms: the link carries data, so its round trip is probed every interval, and
        // nothing queues in front of the probes.
        await a.InvokeAsync(() => sender.Start(b.Id));
        Assert.That(await Eventually.TrueAsync(() => Rtt(a, b) is { } rtt && rtt < 50, TimeSpan.FromSeconds(20)), Is.True, $"RTT {Rtt(a, b)} ms without delay");

        a.SetLinkConditions(b.Id, new LinkConditions { Delay = TimeSpan.FromMilliseconds(100) });
        Assert.That(await Eventually.TrueAsync(() => Rtt(a, b) >= 100, TimeSpan.FromSeconds(20)), Is.True, $"RTT {Rtt(a, b)} ms with 100 ms delay");

        a.SetLinkConditions(b.Id, LinkConditions.None);
        Assert.That(await Eventually.TrueAsync(() => Rtt(a, b) < 50, TimeSpan.FromSeconds(20)), Is.True, $"RTT {Rtt(a, b)} ms after the delay was cleared");
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(30_000)]
    public async Task Getters_ReturnWhatWasSet_PerPeerAndDirection_EvenBeforeALinkExists()
    {
        await using var overlay = new TestOverlay();
        var a = await overlay.AddAsync(new RelayAlgorithm());
        var peer = NodeId.Parse("127.0.0.1:9");
        var other = NodeId.Parse("127.0.0.1:10");
        Assert.That(a.GetLinkBandwidth(peer, LinkDirection.Downstream), Is.Null);
        Assert.That(a.GetLinkBandwidth(peer, LinkDirection.Upstream), Is.Null);
        Assert.That(a.GetLinkConditions(peer), Is.EqualTo(LinkConditions.None));

        a.SetLinkBandwidth(peer, LinkDirection.Downstream, 12_345);
        a.SetLinkBandwidth(peer, LinkDirection.Upstream, 6_789);
        var conditions = new LinkConditions { Delay = TimeSpan.FromMilliseconds(7), Jitter = TimeSpan.FromMilliseconds(3), LossRate = 0.25, AllowReordering = true };
        a.SetLinkConditions(peer, conditions);
        Assert.That(a.GetLinkBandwidth(peer, LinkDirection.Downstream), Is.EqualTo(12_345));
        Assert.That(a.GetLinkBandwidth(peer, LinkDirection.Upstream), Is.EqualTo(6_789));
        Assert.That(a.GetLinkConditions(peer), Is.EqualTo(conditions));
        Assert.That(a.GetLinkBandwidth(other, LinkDirection.Downstream), Is.Null, "another peer's link is not limited");
        Assert.That(a.GetLinkConditions(other), Is.EqualTo(LinkConditions.None));

        a.SetLinkBandwidth(peer, LinkDirection.Downstream, null);
        a.SetLinkConditions(peer, LinkConditions.None);
        Assert.That(a.GetLinkBandwidth(peer, LinkDirection.Downstream), Is.Null, "null removes the limit");
        Assert.That(a.GetLinkBandwidth(peer, LinkDirection.Upstream), Is.EqualTo(6_789), "the other direction keeps its own");
        Assert.That(a.GetLinkConditions(peer), Is.EqualTo(LinkConditions.None));
        await overlay.StopAllAsync();
    }

    /// <summary>Sends a 100-byte message to its target every 10 ms.</summary>
    private sealed class Trickle : Algorithm
    {
        public void Start(NodeId target) =>
            Schedule(TimeSpan.Zero, TimeSpan.FromMilliseconds(10), () => Send(CreateMessage(MessageTypes.Data, 1, 100), target));
    }

    private static long Loss(OverlayNode from, OverlayNode to) => from.GetStatistics().Find(to.Id, LinkDirection.Downstream)?.EmulatedLoss ?? 0;

    private static double? Rtt(OverlayNode from, OverlayNode to) => from.GetStatistics().Find(to.Id, LinkDirection.Downstream)?.RoundTripTime?.TotalMilliseconds;
}
