using NUnit.Framework;
using Overlay.Core.Tests.Support;

namespace Overlay.Core.Tests.Emulation;

/// <summary>
/// Upstream weights on live nodes: set before the links exist, they share a node's download limit between its
/// upstreams; an idle upstream's part goes to the others; they are kept across reconnects, reported, and checked.
/// </summary>
[Category("Integration")]
public class UpstreamWeightTests
{
    private const double Download = 200_000;
    private const double Tolerance = 0.2;

    [Test, CancelAfter(150_000)]
    public async Task TwoUpstreams_Weights1And3_ShareTheDownloadLimit1To3_AndAnIdleOnesPartIsReclaimed()
    {
        await using var overlay = new TestOverlay();
        static void Small(OverlayNodeOptions o) => o.SocketBufferSize = 16 * 1024;
        var h = await overlay.AddAsync(new RelayAlgorithm(), o =>
        {
            Small(o);
            o.DownloadBandwidth = Download;
        });
        var light = await AddSenderAsync(overlay, h);
        var heavy = await AddSenderAsync(overlay, h);
        h.SetUpstreamWeight(heavy.Id, 3); // before its link exists: nothing has been sent yet
        Assert.That(h.GetStatistics().Upstreams, Is.Empty);
        await light.DeploySourceAsync(1, new SourceOptions { PayloadLength = 5 * 1024 });
        await heavy.DeploySourceAsync(2, new SourceOptions { PayloadLength = 5 * 1024 });

        var expected = new Dictionary<string, double> { ["light"] = Download / 4, ["heavy"] = Download * 3 / 4 };
        var rates = await LinkRates.ConvergeAsync(expected, Tolerance, TimeSpan.FromSeconds(60), () => MeasureAsync(h, light, heavy));
        TestContext.Out.WriteLine($"weights 1:3 under a {Download / 1000} KB/s download limit, KB/s: {LinkRates.Format(rates)}");
        Assert.That(rates["light"] + rates["heavy"], Is.EqualTo(Download).Within(15).Percent, "the download limit holds");
        Assert.That(rates["light"], Is.EqualTo(Download / 4).Within(Tolerance * 100).Percent);
        Assert.That(rates["heavy"], Is.EqualTo(Download * 3 / 4).Within(Tolerance * 100).Percent);
        Assert.That(rates["heavy"] / rates["light"], Is.InRange(2.2, 4.0), "about three times as much");

        // The heavy upstream goes idle: the light one gets the whole download budget.
        await heavy.TerminateSourceAsync(2);
        var alone = await LinkRates.ConvergeAsync(
            new Dictionary<string, double> { ["light"] = Download }, Tolerance, TimeSpan.FromSeconds(40), () => MeasureAsync(h, light, heavy));
        TestContext.Out.WriteLine($"heavy idle, KB/s: {LinkRates.Format(alone)}");
        Assert.That(alone["light"], Is.EqualTo(Download).Within(15).Percent, "the idle upstream's part was reclaimed");
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(90_000)]
    public async Task Weight_SetBeforeTheLinkExists_IsTheLinksWeight_KeptAcrossAReconnect_AndReported()
    {
        await using var overlay = new TestOverlay();
        var hub = new DisconnectingHub();
        var h = await overlay.AddAsync(hub);
        var x = await AddSenderAsync(overlay, h);
        h.SetUpstreamWeight(x.Id, 5);
        Assert.That(h.GetUpstreamWeight(x.Id), Is.EqualTo(5));
        Assert.That(h.GetUpstreamWeight(h.Id), Is.EqualTo(1), "unset: 1");
        await x.DeploySourceAsync(1, new SourceOptions { PayloadLength = 100 });
        Assert.That(await Eventually.TrueAsync(() => h.GetStatistics().Upstreams.Count == 1, TimeSpan.FromSeconds(20)), Is.True);
        Assert.That(await UpstreamWeightInStatusAsync(h, x), Is.EqualTo(5), "the link opened with the weight set before it");

        // The hub drops the link; the sender's next message opens a new one, which gets the same weight.
        await h.InvokeAsync(() => hub.Drop(x.Id));
        var sender = (RelayAlgorithm)x.Algorithm;
        Assert.That(await Eventually.TrueAsync(() => !ChildrenOf(x).Contains(h.Id), TimeSpan.FromSeconds(30)), Is.True, "the sender saw its link break");
        await x.InvokeAsync(() => sender.Children.Add(h.Id));
        Assert.That(
            await Eventually.TrueAsync(() => hub.Broken == 1 && h.GetStatistics().Upstreams.Count == 1, TimeSpan.FromSeconds(30)),
            Is.True,
            $"the sender reconnected: {hub.Broken} broken, {h.GetStatistics().Upstreams.Count} upstreams");
        Assert.That(await UpstreamWeightInStatusAsync(h, x), Is.EqualTo(5), "kept across the reconnect");

        // Changed at run time, from another thread; 1 is the default again.
        h.SetUpstreamWeight(x.Id, 1);
        Assert.That(await UpstreamWeightInStatusAsync(h, x), Is.EqualTo(1));
        Assert.That((await h.GetStatusAsync()).Links.Single(l => l.Direction == LinkDirection.Upstream).Weight, Is.EqualTo(1));

        // Bad weights are refused with a clear message and change nothing.
        h.SetUpstreamWeight(x.Id, 4);
        foreach (var bad in new[] { 0, -1, OverlayNode.MaxUpstreamWeight + 1, int.MinValue })
        {
            var refused = Assert.Throws<ArgumentOutOfRangeException>(() => h.SetUpstreamWeight(x.Id, bad));
            Assert.That(refused!.Message, Does.Contain("upstream weight"));
        }

        Assert.That(h.GetUpstreamWeight(x.Id), Is.EqualTo(4));
        Assert.That(await UpstreamWeightInStatusAsync(h, x), Is.EqualTo(4));
        Assert.That((await x.GetStatusAsync()).Links.Single().Weight, Is.Null, "a downstream link has no upstream weight");
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    private static async Task<OverlayNode> AddSenderAsync(TestOverlay overlay, OverlayNode hub)
    {
        var sender = new RelayAlgorithm();
        var node = await overlay.AddAsync(sender, o => o.SocketBufferSize = 16 * 1024);
        sender.Children.Add(hub.Id);
        return node;
    }

    private static List<NodeId> ChildrenOf(OverlayNode sender)
    {
        var children = new List<NodeId>();
        sender.InvokeAsync(() => children.AddRange(((RelayAlgorithm)sender.Algorithm).Children)).Wait();
        return children;
    }

    private static Task<Dictionary<string, double>> MeasureAsync(OverlayNode hub, OverlayNode light, OverlayNode heavy) =>
        LinkRates.MeasureAsync(
            new Dictionary<string, Func<long>> { ["light"] = () => Counters.Received(hub, light), ["heavy"] = () => Counters.Received(hub, heavy) },
            TimeSpan.FromSeconds(4));

    private static async Task<int?> UpstreamWeightInStatusAsync(OverlayNode hub, OverlayNode peer) =>
        (await hub.GetStatusAsync()).Links.SingleOrDefault(l => l.Direction == LinkDirection.Upstream && l.Peer == peer.Id)?.Weight;

    /// <summary>Consumes data; can close its links with a peer; counts broken upstreams.</summary>
    private sealed class DisconnectingHub : Algorithm
    {
        private int _broken;

        public int Broken => Volatile.Read(ref _broken);

        public void Drop(NodeId peer) => Disconnect(peer);

        protected override void OnBrokenUpstream(NodeId peer)
        {
            Interlocked.Increment(ref _broken);
            base.OnBrokenUpstream(peer);
        }
    }
}
