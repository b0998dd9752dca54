using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using NUnit.Framework;
using Overlay.Buffers;
using Overlay.Emulation;

namespace Overlay.Observer.Client.Tests;

/// <summary>The observer's model speaks in node identities and trace records, and bad commands are refused.</summary>
[Category("Integration")]
public class ObserverModelTests
{
    [Test, CancelAfter(60_000)]
    public async Task StatusAndTraces_CarryNodeIdsAndTraceRecords()
    {
        await using var observer = new OverlayObserver(new ObserverOptions { StatusInterval = TimeSpan.FromMilliseconds(200) });
        var traces = new ConcurrentQueue<TraceRecord>();
        observer.TraceReceived += (_, trace) => traces.Enqueue(trace);
        await observer.StartAsync();
        var pool = new MessagePool();
        var source = new Recorder();
        var a = new OverlayNode(new OverlayNodeOptions { Pool = pool, ObserverEndPoint = observer.EndPoint }, source);
        var b = new OverlayNode(new OverlayNodeOptions { Pool = pool, ObserverEndPoint = observer.EndPoint }, new Recorder());
        await a.StartAsync();
        await b.StartAsync();
        try
        {
            Assert.That(await Eventually.TrueAsync(() => observer.GetNodes().Count(n => n.IsAlive) == 2, TimeSpan.FromSeconds(10)), Is.True);
            await a.InvokeAsync(() => source.Children.Add(b.Id));
            await a.DeploySourceAsync(1, new SourceOptions { PayloadLength = 100 });
            Assert.That(
                await Eventually.TrueAsync(() => observer.GetNode(a.Id)?.Status?.Links.Any(l => l.Peer == b.Id && l.Direction == LinkDirection.Downstream) == true, TimeSpan.FromSeconds(10)),
                Is.True, "A's status names B as a NodeId");
            Assert.That(observer.GetNode(a.Id)!.Status!.Node, Is.EqualTo(a.Id));
            Assert.That(
                await Eventually.TrueAsync(() => observer.GetNode(b.Id)?.Status?.Links.Any(l => l.Peer == a.Id && l.Direction == LinkDirection.Upstream) == true, TimeSpan.FromSeconds(10)),
                Is.True, "B's status names A");

            var before = DateTimeOffset.UtcNow;
            await a.InvokeAsync(() => source.Say("tab\there"));
            Assert.That(await Eventually.TrueAsync(() => !traces.IsEmpty, TimeSpan.FromSeconds(10)), Is.True);
            Assert.That(traces.TryPeek(out var trace), Is.True);
            Assert.That(trace.Node, Is.EqualTo(a.Id));
            Assert.That(trace.Text, Is.EqualTo("tab\there"));
            Assert.That(trace.Time, Is.GreaterThanOrEqualTo(before).And.LessThanOrEqualTo(DateTimeOffset.UtcNow));
        }
        finally
        {
            await a.StopAsync();
            await b.StopAsync();
        }

        Assert.That(pool.Outstanding, Is.Zero);
    }

    [Test]
    public void StatusJson_WritesNodeIdsAsText_AndReadsThemBack()
    {
        var a = NodeId.Parse("127.0.0.1:4000");
        var b = NodeId.Parse("10.1.2.3:5000");
        var status = new NodeStatus(a, [new LinkStatus(b, LinkDirection.Downstream, [1], 2, 3, 4, 5, 6, 7, 8, 9, 10)], [1], null, 1, null, 0, 0, 0);
        var json = JsonSerializer.Serialize(status, ObserverJson.Options);
        Assert.That(json, Does.Contain("\"node\":\"127.0.0.1:4000\"").And.Contain("\"peer\":\"10.1.2.3:5000\""));
        var back = JsonSerializer.Deserialize<NodeStatus>(json, ObserverJson.Options)!;
        Assert.That(back.Node, Is.EqualTo(a));
        Assert.That(back.Links[0].Peer, Is.EqualTo(b));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<NodeStatus>(json.Replace("10.1.2.3:5000", "no node", StringComparison.Ordinal), ObserverJson.Options));
    }

    [Test, CancelAfter(60_000)]
    public async Task BadBandwidth_RefusedByTheObserverAndByTheNode()
    {
        await using var observer = new OverlayObserver(new ObserverOptions());
        await observer.StartAsync();
        var pool = new MessagePool();
        var a = new OverlayNode(new OverlayNodeOptions { Pool = pool, ObserverEndPoint = observer.EndPoint, UploadBandwidth = 50_000 }, new Recorder());
        await a.StartAsync();
        var peer = NodeId.Parse("127.0.0.1:9");
        try
        {
            Assert.That(await Eventually.TrueAsync(() => observer.GetNode(a.Id)?.IsAlive == true, TimeSpan.FromSeconds(10)), Is.True);
            foreach (var rate in new[] { 0, -1, double.NaN, double.PositiveInfinity })
            {
                await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => observer.SetBandwidthAsync(a.Id, BandwidthScope.Upload, rate), $"{rate}");
                await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => observer.SetLinkBandwidthAsync(a.Id, peer, LinkDirection.Downstream, rate), $"{rate}");
            }

            // A request that gets past the observer (another observer, an older client) is refused by the node itself.
            foreach (var rate in new[] { 0.0, -1.0 })
            {
                var refused = await Assert.ThrowsAsync<ObserverCommandException>(() => observer.CommandAsync(
                    a.Id, new ControlRequest { Kind = ControlKind.SetBandwidth, Scope = BandwidthScope.Upload, BytesPerSecond = rate }, CancellationToken.None));
                Assert.That(refused!.Message, Does.Contain("positive"));
                await Assert.ThrowsAsync<ObserverCommandException>(() => observer.CommandAsync(
                    a.Id, new ControlRequest { Kind = ControlKind.SetLinkBandwidth, Peer = peer.ToString(), Direction = LinkDirection.Downstream, BytesPerSecond = rate }, CancellationToken.None));
            }

            Assert.That(a.GetBandwidth(BandwidthScope.Upload), Is.EqualTo(50_000), "the refused commands changed nothing");
            Assert.That(a.GetLinkBandwidth(peer, LinkDirection.Downstream), Is.Null);
            await observer.SetBandwidthAsync(a.Id, BandwidthScope.Upload, null);
            Assert.That(a.GetBandwidth(BandwidthScope.Upload), Is.Null, "null still removes a limit");
        }
        finally
        {
            await a.StopAsync();
        }

        Assert.That(pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(60_000)]
    public async Task UpstreamWeight_SetFromTheObserver_BadOnesRefusedByTheObserverAndByTheNode()
    {
        await using var observer = new OverlayObserver(new ObserverOptions());
        await observer.StartAsync();
        var pool = new MessagePool();
        var a = new OverlayNode(new OverlayNodeOptions { Pool = pool, ObserverEndPoint = observer.EndPoint }, new Recorder());
        await a.StartAsync();
        var peer = NodeId.Parse("127.0.0.1:9");
        try
        {
            Assert.That(await Eventually.TrueAsync(() => observer.GetNode(a.Id)?.IsAlive == true, TimeSpan.FromSeconds(10)), Is.True);
            await observer.SetUpstreamWeightAsync(a.Id, peer, 3);
            Assert.That(a.GetUpstreamWeight(peer), Is.EqualTo(3), "set before any link from the peer exists");

            foreach (var weight in new[] { 0, -1, OverlayNode.MaxUpstreamWeight + 1 })
            {
                await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => observer.SetUpstreamWeightAsync(a.Id, peer, weight), $"{weight}");

                // A request that gets past the observer (another observer, an older client) is refused by the node itself.
                var refused = await Assert.ThrowsAsync<ObserverCommandException>(() => observer.CommandAsync(
                    a.Id, new ControlRequest { Kind = ControlKind.SetUpstreamWeight, Peer = peer.ToString(), Weight = weight }, CancellationToken.None));
                Assert.That(refused!.Message, Does.Contain("upstream weight"));
            }

            await Assert.ThrowsAsync<ObserverCommandException>(() => observer.CommandAsync(
                a.Id, new ControlRequest { Kind = ControlKind.SetUpstreamWeight, Weight = 2 }, CancellationToken.None));
            Assert.That(a.GetUpstreamWeight(peer), Is.EqualTo(3), "the refused commands changed nothing");
        }
        finally
        {
            await a.StopAsync();
        }

        Assert.That(pool.Outstanding, Is.Zero);
    }

    [Test]
    public void Ipv6BindAddress_RefusedWhenTheObserverIsCreated()
    {
        var error = Assert.Throws<ArgumentException>(() => _ = new OverlayObserver(new ObserverOptions { BindAddress = IPAddress.IPv6Loopback }));
        Assert.That(error!.ParamName, Is.EqualTo(nameof(ObserverOptions.BindAddress)));
        Assert.That(error.Message, Does.Contain("IPv4"));
    }

    [TestCase(-1)]
    [TestCase(65_536)]
    public void PortOutOfRange_RefusedWhenTheObserverIsCreated_NamingPort(int port)
    {
        var error = Assert.Catch<ArgumentException>(() => _ = new OverlayObserver(new ObserverOptions { Port = port }));
        Assert.That(error!.ParamName, Is.EqualTo(nameof(ObserverOptions.Port)));
    }
}
