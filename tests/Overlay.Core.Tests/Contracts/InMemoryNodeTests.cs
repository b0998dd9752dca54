using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;
using Overlay.Buffers;
using Overlay.Transport;
using Overlay.Transport.InMemory;
using Overlay.Wire;

namespace Overlay.Core.Tests.Contracts;

/// <summary>
/// Node-level scenarios run on the in-memory transport: the engine above the transport seam is the same on every
/// transport, so a rate-limited relay chain, a crashed peer, bad input and authentication behave as on TCP.
/// </summary>
[Category("Integration")]
public class InMemoryNodeTests
{
    private const int PayloadLength = 5 * 1024;

    [Test, CancelAfter(90_000)]
    public async Task RelayChain_OfThreeNodes_WithALinkLimit_HoldsTheRate_AndDeliversEveryPayloadIntact()
    {
        var network = new InMemoryNetwork();
        await using var overlay = new TestOverlay();
        var source = new RelayAlgorithm();
        var relay = new RelayAlgorithm();
        var sink = new RelayAlgorithm();
        var a = await overlay.AddAsync(source, o => o.Transport = network);
        var b = await overlay.AddAsync(relay, o => o.Transport = network);
        var c = await overlay.AddAsync(sink, o => o.Transport = network);
        source.Children.Add(b.Id);
        relay.Children.Add(c.Id);
        b.SetLinkBandwidth(c.Id, LinkDirection.Downstream, 200_000);
        await a.DeploySourceAsync(1, new SourceOptions { PayloadLength = PayloadLength });

        Assert.That(await Eventually.TrueAsync(() => sink.ArrivalsFrom(b.Id).Count > 20, TimeSpan.FromSeconds(30)), Is.True);
        var rate = await LinkRates.MeasureSteadyAsync(b, c, TimeSpan.FromSeconds(4));
        TestContext.Out.WriteLine($"in-memory relay chain, B → C limited to 200 KB/s: {rate / 1000:F1} KB/s");
        Assert.That(rate, Is.EqualTo(200_000).Within(5).Percent);

        // Back pressure carried the limit upstream: A sends no faster than C receives (plus what the buffers hold).
        var ab = a.GetStatistics().Find(b.Id, LinkDirection.Downstream)!.Bytes;
        var bc = b.GetStatistics().Find(c.Id, LinkDirection.Downstream)!.Bytes;
        TestContext.Out.WriteLine($"A → B {ab} bytes, B → C {bc} bytes");
        Assert.That(ab - bc, Is.LessThan(1_000_000), "the slow hop holds the whole chain back");

        var arrivals = sink.ArrivalsFrom(b.Id);
        Assert.That(arrivals, Is.Ordered, "in order end to end");
        Assert.That(sink.Corrupt + relay.Corrupt, Is.Zero);
        Assert.That(a.Id, Is.Not.EqualTo(b.Id));
        Assert.That(new[] { a.Id, b.Id, c.Id }.All(id => id.Address >> 24 == 10), Is.True, "identities come from the network, 10.x.y.z");
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(60_000)]
    public async Task CrashedPeer_IsDetectedAtOnce_ByItsClosedConnections()
    {
        var network = new InMemoryNetwork();
        await using var overlay = new TestOverlay();
        // Links both ways (a → b, b → a), without a cycle: a message that comes back is seen, not sent round again —
        // with an unlimited source, a cycle would fill every buffer on the way and stall both nodes by back pressure.
        var relay = new RelayAlgorithm { Deduplicate = true };
        var peerRelay = new RelayAlgorithm { Deduplicate = true };
        var a = await overlay.AddAsync(relay, o => { o.Transport = network; o.FailureTimeout = TimeSpan.FromSeconds(60); });
        var b = await overlay.AddAsync(peerRelay, o => { o.Transport = network; o.FailureTimeout = TimeSpan.FromSeconds(60); });
        relay.Children.Add(b.Id);
        peerRelay.Children.Add(a.Id);
        await a.DeploySourceAsync(1, new SourceOptions { PayloadLength = 1000 });
        Assert.That(await Eventually.TrueAsync(() => relay.ArrivalsFrom(b.Id).Count > 100, TimeSpan.FromSeconds(20)), Is.True);

        await b.TerminateAsync();
        Assert.That(
            await Eventually.TrueAsync(() => relay.Failures.Count(f => f.Peer == b.Id) >= 2, TimeSpan.FromSeconds(20)),
            Is.True,
            "both links to the crashed peer are reported broken: " + string.Join(", ", relay.Failures));
        Assert.That(a.GetStatistics().LinksClosedByError.GetValueOrDefault(WireError.Silent), Is.Zero, "found by the reset, not by silence");
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(60_000)]
    public async Task BadInput_FromOnePeer_ClosesThatLink_WithItsReason_AndTheNodeServesOthers()
    {
        var network = new InMemoryNetwork();
        await using var overlay = new TestOverlay();
        var relay = new RelayAlgorithm();
        var a = await overlay.AddAsync(relay, o => o.Transport = network);
        var sender = new RelayAlgorithm();
        var b = await overlay.AddAsync(sender, o => o.Transport = network);

        // A raw connection on the same network sends a frame of type 0 after a proper handshake.
        var pool = new MessagePool();
        await using var raw = network.Create(new TransportSetup(new OverlayNodeOptions(), pool, TimeProvider.System, NullLoggerFactory.Instance, null));
        raw.Start(new ContractHandler());
        var connection = await raw.ConnectAsync(a.Id, PeerRole.Node, CancellationToken.None);
        var garbage = pool.Rent(10);
        garbage.Type = MessageTypes.Data;
        garbage.EncodeHeader();
        garbage.Buffer.AsSpan(0, 4).Clear();
        await connection.SendAsync(new[] { garbage });
        garbage.Release();
        Assert.That(
            await Eventually.TrueAsync(() => a.GetStatistics().LinksClosedByError.GetValueOrDefault(WireError.UnknownType) == 1, TimeSpan.FromSeconds(20)),
            Is.True);
        await connection.DisposeAsync();

        sender.Children.Add(a.Id);
        await b.DeploySourceAsync(1, new SourceOptions { PayloadLength = 100, MessageLimit = 500 });
        Assert.That(await Eventually.TrueAsync(() => relay.ArrivalsFrom(b.Id).Count == 500, TimeSpan.FromSeconds(30)), Is.True);
        Assert.That(relay.Corrupt, Is.Zero);
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
        Assert.That(pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(60_000)]
    public async Task WrongSecret_IsRefused_RightSecret_Links()
    {
        var network = new InMemoryNetwork();
        await using var overlay = new TestOverlay();
        var relay = new RelayAlgorithm();
        var a = await overlay.AddAsync(relay, o => { o.Transport = network; o.SharedSecret = "right"; });
        var intruder = new RelayAlgorithm();
        var x = await overlay.AddAsync(intruder, o => { o.Transport = network; o.SharedSecret = "wrong"; o.ConnectRetries = 0; });
        var friend = new RelayAlgorithm();
        var b = await overlay.AddAsync(friend, o => { o.Transport = network; o.SharedSecret = "right"; });
        intruder.Children.Add(a.Id);
        friend.Children.Add(a.Id);
        await x.DeploySourceAsync(1, new SourceOptions { PayloadLength = 100, MessageLimit = 10 });
        await b.DeploySourceAsync(2, new SourceOptions { PayloadLength = 100, MessageLimit = 10 });

        Assert.That(await Eventually.TrueAsync(() => relay.ArrivalsFrom(b.Id).Count == 10, TimeSpan.FromSeconds(20)), Is.True);
        Assert.That(
            await Eventually.TrueAsync(() => a.GetStatistics().RejectedConnections.GetValueOrDefault(WireError.AuthenticationFailed) >= 1, TimeSpan.FromSeconds(20)),
            Is.True);
        Assert.That(relay.ArrivalsFrom(x.Id), Is.Empty);
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test]
    public async Task ANode_RefusesToStart_OnATransportThatIsNotAStream()
    {
        var node = new OverlayNode(new OverlayNodeOptions { Transport = new DatagramOnly() }, new RelayAlgorithm());
        Assert.That(() => node.StartAsync(), Throws.InstanceOf<NotSupportedException>().With.Message.Contains("reliable, ordered, flow-controlled"));
        await node.DisposeAsync();
    }

    [Test]
    public void Options_WithoutATransport_AreRefused_NamingTheSetting()
    {
        var options = new OverlayNodeOptions { Transport = null! };
        Assert.That(() => options.Validate(), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("Transport"));
    }

    // A transport that claims datagrams only: enough to be refused before it is started.
    private sealed class DatagramOnly : ITransportFactory
    {
        public ITransport Create(TransportSetup setup) => new Transport();

        private sealed class Transport : ITransport
        {
            public NodeId LocalId => default;

            public TransportCapabilities Capabilities => TransportCapabilities.Datagram;

            public long ConnectionsAccepted => 0;

            public int ConnectionsInHandshake => 0;

            public long AcceptBackOffs => 0;

            public void Start(IConnectionHandler handler) => throw new InvalidOperationException("must not be started");

            public Task<IConnection> ConnectAsync(NodeId remote, PeerRole role, CancellationToken cancellationToken) => throw new NotSupportedException();

            public Task StopAcceptingAsync() => Task.CompletedTask;

            public void CancelConnects()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
