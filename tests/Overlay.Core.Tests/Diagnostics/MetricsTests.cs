using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using NUnit.Framework;
using Overlay.Core.Tests.Support;
using Overlay.Diagnostics;
using Overlay.Emulation;
using Overlay.Wire;

namespace Overlay.Core.Tests.Diagnostics;

/// <summary>The <c>Overlay</c> meter, read as a listener would: what it reports agrees with the nodes' own statistics.</summary>
[Category("Integration")]
public class MetricsTests
{
    [Test, CancelAfter(60_000)]
    public async Task TwoNodeTransfer_IsCountedPerNodeAndPeer_AsTheNodesCountIt()
    {
        using var meters = new TestMeterFactory();
        using var bytesSent = Collector(meters, OverlayMeter.BytesSent);
        using var messagesSent = Collector(meters, OverlayMeter.MessagesSent);
        using var bytesReceived = Collector(meters, OverlayMeter.BytesReceived);
        using var messagesReceived = Collector(meters, OverlayMeter.MessagesReceived);
        using var processed = Collector(meters, OverlayMeter.MessagesProcessed);
        await using var overlay = new TestOverlay();
        var sender = new RelayAlgorithm();
        var receiver = new RelayAlgorithm();
        var a = await overlay.AddAsync(sender, o => o.MeterFactory = meters);
        var b = await overlay.AddAsync(receiver, o => o.MeterFactory = meters);
        sender.Children.Add(b.Id);
        const int count = 1000;
        const int payload = 100;
        await a.DeploySourceAsync(1, new SourceOptions { PayloadLength = payload, MessageLimit = count });
        Assert.That(await Eventually.TrueAsync(() => receiver.Delivered >= count, TimeSpan.FromSeconds(30)), Is.True);

        // Every data frame is written and read once: the source's count, each frame a header and the payload.
        Assert.That(await Eventually.TrueAsync(() => Last(messagesSent, a, b) == count && Last(messagesReceived, b, a) == count, TimeSpan.FromSeconds(10)), Is.True,
            $"sent {Last(messagesSent, a, b)}, received {Last(messagesReceived, b, a)}");
        Assert.That(Last(bytesSent, a, b), Is.EqualTo(count * (MessageHeader.Size + payload)));
        Assert.That(Last(bytesReceived, b, a), Is.EqualTo(count * (MessageHeader.Size + payload)));

        // The same figures as the nodes' own statistics.
        var down = a.GetStatistics().Find(b.Id, LinkDirection.Downstream)!;
        var up = b.GetStatistics().Find(a.Id, LinkDirection.Upstream)!;
        Assert.That(Last(messagesSent, a, b), Is.EqualTo(down.Messages));
        Assert.That(Last(bytesSent, a, b), Is.EqualTo(down.Bytes));
        Assert.That(Last(messagesReceived, b, a), Is.EqualTo(up.Messages));
        Assert.That(Last(bytesReceived, b, a), Is.EqualTo(up.Bytes));
        Assert.That(Last(processed, b), Is.EqualTo(b.GetStatistics().MessagesProcessed).And.GreaterThanOrEqualTo(count));

        // Two nodes of one process are told apart by their tags: B sent nothing, A received nothing.
        Assert.That(Last(messagesSent, b, a), Is.Null);
        Assert.That(Last(messagesReceived, a, b), Is.Null);
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(60_000)]
    public async Task APeersCounts_SurviveItsLinks_AndADisconnectIsNoFailureOfThisNode()
    {
        using var meters = new TestMeterFactory();
        using var messagesSent = Collector(meters, OverlayMeter.MessagesSent);
        using var bytesSent = Collector(meters, OverlayMeter.BytesSent);
        using var messagesReceived = Collector(meters, OverlayMeter.MessagesReceived);
        using var failures = Collector(meters, OverlayMeter.LinkFailures);
        await using var overlay = new TestOverlay();
        var sender = new DisconnectingRelay();
        var receiver = new RelayAlgorithm();
        var a = await overlay.AddAsync(sender, o => o.MeterFactory = meters);
        var b = await overlay.AddAsync(receiver, o => o.MeterFactory = meters);
        sender.Children.Add(b.Id);
        await a.DeploySourceAsync(1, new SourceOptions { PayloadLength = 100, MessageLimit = 500 });
        Assert.That(await Eventually.TrueAsync(() => receiver.Delivered >= 500 && Last(messagesSent, a, b) == 500, TimeSpan.FromSeconds(20)), Is.True);

        // A closes its link to B itself; the next send opens a new one.
        await a.InvokeAsync(() => sender.DropLink(b.Id));
        Assert.That(await Eventually.TrueAsync(() => a.GetStatistics().Downstreams.Count == 0 && b.GetStatistics().Upstreams.Count == 0, TimeSpan.FromSeconds(20)), Is.True);
        Assert.That(Last(messagesSent, a, b), Is.EqualTo(500), "a closed link's count stays in its peer's series");
        await a.InvokeAsync(() => sender.Children.Add(b.Id));   // the relay forgot the child whose link broke
        await a.DeploySourceAsync(2, new SourceOptions { PayloadLength = 100, MessageLimit = 300 });
        Assert.That(await Eventually.TrueAsync(() => receiver.Delivered >= 800 && Last(messagesSent, a, b) == 800, TimeSpan.FromSeconds(20)), Is.True,
            $"sent {Last(messagesSent, a, b)}, delivered {receiver.Delivered}");

        Assert.That(a.GetStatistics().Find(b.Id, LinkDirection.Downstream)!.Messages, Is.EqualTo(300), "the link's own statistics start again");
        Assert.That(Last(bytesSent, a, b), Is.EqualTo(800 * (MessageHeader.Size + 100)));
        Assert.That(await Eventually.TrueAsync(() => Last(messagesReceived, b, a) == 800, TimeSpan.FromSeconds(10)), Is.True);

        // A closed its own link: no failure of A's. B saw its upstream fail (Disconnect aborts the connection, so
        // B reads a reset, or the stream's end if the abort raced a quiet read).
        var recorded = failures.GetMeasurementSnapshot();
        Assert.That(recorded.Where(m => Equals(m.Tags[OverlayMeter.NodeTag], a.Id.ToString())), Is.Empty);
        var ofB = recorded.Where(m => Equals(m.Tags[OverlayMeter.NodeTag], b.Id.ToString())).ToList();
        Assert.That(ofB.Select(m => m.Tags[OverlayMeter.DirectionTag]), Is.EqualTo(new[] { "upstream" }));
        Assert.That(ofB.Select(m => m.Tags[OverlayMeter.ReasonTag]), Is.All.AnyOf("TransportError", "EndOfStream"));
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(60_000)]
    public async Task WrongSecret_IsCountedAsARefusedConnection_UnderItsReason()
    {
        using var meters = new TestMeterFactory();
        using var refused = Collector(meters, OverlayMeter.ConnectionsRefused);
        await using var overlay = new TestOverlay();
        var sender = new RelayAlgorithm();
        var a = await overlay.AddAsync(sender, o => { o.SharedSecret = "right"; o.MeterFactory = meters; });
        var b = await overlay.AddAsync(new RelayAlgorithm(), o => { o.SharedSecret = "wrong"; o.MeterFactory = meters; });
        sender.Children.Add(b.Id);
        await a.DeploySourceAsync(1, new SourceOptions { PayloadLength = 100, MessageLimit = 10 });

        Assert.That(
            await Eventually.TrueAsync(() => Last(refused, b, reason: nameof(WireError.AuthenticationFailed)) >= 1, TimeSpan.FromSeconds(10)),
            Is.True);
        Assert.That(
            Last(refused, b, reason: nameof(WireError.AuthenticationFailed)),
            Is.EqualTo(b.GetStatistics().RejectedConnections[WireError.AuthenticationFailed]));
        Assert.That(Last(refused, a, reason: nameof(WireError.AuthenticationFailed)), Is.Null, "A refused nothing");
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(60_000)]
    public async Task KilledPeer_IsCountedAsALinkFailure_WithItsReason()
    {
        using var meters = new TestMeterFactory();
        using var failures = Collector(meters, OverlayMeter.LinkFailures);
        await using var overlay = new TestOverlay();
        var relay = new RelayAlgorithm();
        var a = await overlay.AddAsync(relay, o => { o.FailureTimeout = TimeSpan.FromSeconds(60); o.MeterFactory = meters; });
        using var peer = await PeerProcess.StartAsync("--send-to", a.Id.ToString(), "--failure-timeout-ms", "60000");
        relay.Children.Add(peer.Id);
        await a.DeploySourceAsync(1, new SourceOptions { PayloadLength = 1000 });
        Assert.That(await Eventually.TrueAsync(() => relay.ArrivalsFrom(peer.Id).Count > 100 && a.GetStatistics().Downstreams.Count == 1, TimeSpan.FromSeconds(20)), Is.True);
        Assert.That(failures.GetMeasurementSnapshot(), Is.Empty, "nothing failed while the peer lived");

        peer.Kill();
        Assert.That(await Eventually.TrueAsync(() => relay.Failures.Count(f => f.Peer == peer.Id) >= 2, TimeSpan.FromSeconds(20)), Is.True);
        var recorded = failures.GetMeasurementSnapshot();
        TestContext.Out.WriteLine(string.Join(Environment.NewLine, recorded.Select(m => string.Join(", ", m.Tags.Select(t => $"{t.Key}={t.Value}")))));
        // The kernel closed the killed process's sockets: each link ends with the stream's end, a frame cut short
        // (Truncated: the peer died mid-frame) or a transport error (a reset), never as silence or as a close of
        // this node's own.
        Assert.That(recorded, Has.Count.EqualTo(2));
        Assert.That(recorded.Select(m => m.Tags[OverlayMeter.DirectionTag]), Is.EquivalentTo(new[] { "upstream", "downstream" }));
        Assert.That(recorded.Select(m => m.Tags[OverlayMeter.ReasonTag]), Is.All.AnyOf("EndOfStream", "TransportError", nameof(WireError.Truncated)));
        var closedByError = a.GetStatistics().LinksClosedByError;
        foreach (var name in recorded.Select(m => (string)m.Tags[OverlayMeter.ReasonTag]!))
        {
            // A wire error is the same reason the node's statistics count.
            if (Enum.TryParse<WireError>(name, out var error))
                Assert.That(closedByError.GetValueOrDefault(error), Is.GreaterThanOrEqualTo(1), $"{name} counted in the node's statistics too");
        }
        Assert.That(recorded.Select(m => m.Tags[OverlayMeter.NodeTag]), Is.All.EqualTo(a.Id.ToString()));
        Assert.That(recorded.Select(m => m.Value), Is.All.EqualTo(1));

        // What the closed downstream still buffered is lost, counted as the node counts it.
        using var messagesLost = Collector(meters, OverlayMeter.MessagesLost);
        var statistics = a.GetStatistics();
        TestContext.Out.WriteLine($"lost when the link closed: {statistics.MessagesLost} messages, {statistics.BytesLost} bytes");
        Assert.That(Last(messagesLost, a, cause: "link_closed"), Is.EqualTo(statistics.MessagesLost));

        // Stopping closes this node's own links: no failure.
        await overlay.StopAllAsync();
        Assert.That(failures.GetMeasurementSnapshot(), Has.Count.EqualTo(2));
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(60_000)]
    public async Task EmulatedLoss_IsCountedAsLoss_WithItsCause()
    {
        using var meters = new TestMeterFactory();
        using var messagesLost = Collector(meters, OverlayMeter.MessagesLost);
        using var bytesLost = Collector(meters, OverlayMeter.BytesLost);
        await using var overlay = new TestOverlay();
        var sender = new RelayAlgorithm();
        var a = await overlay.AddAsync(sender, o => o.MeterFactory = meters);
        var b = await overlay.AddAsync(new RelayAlgorithm(), o => o.MeterFactory = meters);
        a.SetLinkConditions(b.Id, new LinkConditions { LossRate = 0.10 });
        sender.Children.Add(b.Id);
        const int count = 2000;
        const int payload = 100;
        await a.DeploySourceAsync(1, new SourceOptions { PayloadLength = payload, MessageLimit = count });
        Assert.That(
            await Eventually.TrueAsync(() => a.GetStatistics().Find(b.Id, LinkDirection.Downstream) is { } s && s.Messages + s.EmulatedLoss >= count, TimeSpan.FromSeconds(30)),
            Is.True);

        var lost = a.GetStatistics().Find(b.Id, LinkDirection.Downstream)!.EmulatedLoss;
        Assert.That(lost, Is.InRange(count / 20, count / 5), "about a tenth is lost");
        Assert.That(Last(messagesLost, a, cause: "emulated"), Is.EqualTo(lost));
        Assert.That(Last(bytesLost, a, cause: "emulated"), Is.EqualTo(lost * (MessageHeader.Size + payload)));
        Assert.That(Last(messagesLost, a, cause: "link_closed"), Is.Zero, "no link closed");
        Assert.That(Last(messagesLost, b, cause: "emulated"), Is.Zero, "B sent nothing, so lost nothing");
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(60_000)]
    public async Task RoundTripTime_IsRecordedPerMeasurement_InSeconds()
    {
        using var meters = new TestMeterFactory();
        using var roundTrips = new MetricCollector<double>(meters[OverlayMeter.Name], OverlayMeter.RoundTripTime);
        using var buffered = Collector(meters, OverlayMeter.LinkBuffered);
        await using var overlay = new TestOverlay();
        var sender = new RelayAlgorithm();
        var a = await overlay.AddAsync(sender, o => o.MeterFactory = meters);
        var b = await overlay.AddAsync(new RelayAlgorithm(), o => o.MeterFactory = meters);
        sender.Children.Add(b.Id);
        await a.DeploySourceAsync(1, new SourceOptions { PayloadLength = 100, MessageLimit = 100 });
        Assert.That(await Eventually.TrueAsync(() => a.GetStatistics().Find(b.Id, LinkDirection.Downstream)?.RoundTripTime is not null, TimeSpan.FromSeconds(20)), Is.True);
        Assert.That(await Eventually.TrueAsync(() => roundTrips.GetMeasurementSnapshot().Count > 0, TimeSpan.FromSeconds(10)), Is.True);

        var first = roundTrips.GetMeasurementSnapshot()[0];
        Assert.That(first.Tags[OverlayMeter.NodeTag], Is.EqualTo(a.Id.ToString()));
        Assert.That(first.Tags[OverlayMeter.PeerTag], Is.EqualTo(b.Id.ToString()));
        Assert.That(first.Value, Is.GreaterThan(0).And.LessThan(10), "seconds, on one machine");
        Assert.That(roundTrips.GetMeasurementSnapshot().Select(m => m.Tags[OverlayMeter.NodeTag]), Is.All.EqualTo(a.Id.ToString()), "only A has a downstream link");

        // Each live link reports its buffer, tagged with its direction.
        buffered.RecordObservableInstruments();
        var links = buffered.GetMeasurementSnapshot().Select(m => $"{m.Tags[OverlayMeter.NodeTag]} {m.Tags[OverlayMeter.PeerTag]} {m.Tags[OverlayMeter.DirectionTag]}").ToList();
        Assert.That(links, Is.EquivalentTo(new[] { $"{a.Id} {b.Id} downstream", $"{b.Id} {a.Id} upstream" }));
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(60_000)]
    public async Task ANodeThatFailedItself_StopsReporting()
    {
        using var meters = new TestMeterFactory();
        using var processed = Collector(meters, OverlayMeter.MessagesProcessed);
        await using var overlay = new TestOverlay();
        var a = await overlay.AddAsync(new RelayAlgorithm(), o => o.MeterFactory = meters);
        Assert.That(Last(processed, a), Is.Not.Null, "a running node reports");
        var produced = 0;
        await a.DeploySourceAsync(1, new SourceOptions
        {
            PayloadLength = 10,
            Fill = _ =>
            {
                if (++produced == 100)
                    throw new InvalidOperationException("a source that fails");
            },
        });
        Assert.That(await Task.WhenAny(a.Completion, Task.Delay(TimeSpan.FromSeconds(20))), Is.SameAs(a.Completion), "the node failed itself");
        Assert.That(a.Completion.IsFaulted, Is.True);

        // No stop call: the node's series end with its loop, and the meter lets go of the node.
        Assert.That(await Eventually.TrueAsync(() => Last(processed, a) is null, TimeSpan.FromSeconds(10)), Is.True);
    }

    [Test, CancelAfter(60_000)]
    public async Task WithoutAFactory_ANodeReportsToTheProcessWideMeter()
    {
        using var messagesSent = new MetricCollector<long>(null, OverlayMeter.Name, OverlayMeter.MessagesSent);
        await using var overlay = new TestOverlay();
        var sender = new RelayAlgorithm();
        var receiver = new RelayAlgorithm();
        var a = await overlay.AddAsync(sender);
        var b = await overlay.AddAsync(receiver);
        sender.Children.Add(b.Id);
        await a.DeploySourceAsync(1, new SourceOptions { PayloadLength = 10, MessageLimit = 50 });
        Assert.That(await Eventually.TrueAsync(() => Last(messagesSent, a, b) == 50, TimeSpan.FromSeconds(20)), Is.True, $"sent {Last(messagesSent, a, b)}");
        await overlay.StopAllAsync();

        // A stopped node's series end.
        Assert.That(Last(messagesSent, a, b), Is.Null);
    }

    /// <summary>A relay whose test can close its links to a peer, as an algorithm's <c>Disconnect</c> does.</summary>
    private sealed class DisconnectingRelay : RelayAlgorithm
    {
        public void DropLink(NodeId peer) => Disconnect(peer);
    }

    private static MetricCollector<long> Collector(TestMeterFactory meters, string instrument) => new(meters[OverlayMeter.Name], instrument);

    /// <summary>The value an observable instrument reports now for the series with these tags; null when it reports none.</summary>
    private static long? Last(MetricCollector<long> collector, OverlayNode node, OverlayNode? peer = null, string? cause = null, string? reason = null)
    {
        collector.RecordObservableInstruments();
        var snapshot = collector.GetMeasurementSnapshot(clear: true);
        var tags = new List<KeyValuePair<string, object?>> { new(OverlayMeter.NodeTag, node.Id.ToString()) };
        if (peer is not null)
            tags.Add(new(OverlayMeter.PeerTag, peer.Id.ToString()));
        if (cause is not null)
            tags.Add(new(OverlayMeter.LossCauseTag, cause));
        if (reason is not null)
            tags.Add(new(OverlayMeter.ReasonTag, reason));
        var match = snapshot.LastOrDefault(m => m.ContainsTags([.. tags]));
        return match?.Value;
    }
}
