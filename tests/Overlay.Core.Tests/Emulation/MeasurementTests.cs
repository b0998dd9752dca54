using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using NUnit.Framework;
using Overlay.Emulation;

namespace Overlay.Core.Tests.Emulation;

[Category("Integration")]
public class MeasurementTests
{
    [Test, CancelAfter(60_000)]
    public async Task MeasurePeer_OverALimitedLink_ReportsTheLimitAndRoundTrip()
    {
        await using var overlay = new TestOverlay();
        var measurer = new Measurer();
        var a = await overlay.AddAsync(measurer);
        var b = await overlay.AddAsync(new RelayAlgorithm());
        a.SetLinkBandwidth(b.Id, LinkDirection.Downstream, 200_000);

        await a.InvokeAsync(() => measurer.Measure(b.Id));
        Assert.That(await Eventually.TrueAsync(() => measurer.Results.ContainsKey(b.Id), TimeSpan.FromSeconds(15)), Is.True);
        var result = measurer.Results[b.Id];
        TestContext.Out.WriteLine($"measured {result.BytesPerSecond / 1000:F1} KB/s, RTT {result.RoundTripTime?.TotalMilliseconds:F2} ms");
        Assert.That(result.BytesPerSecond, Is.EqualTo(200_000).Within(25).Percent);
        // Loopback without emulated delay: well under the 100 ms the next test adds (a ping may wait behind probe
        // frames at the link's 200 KB/s, and a loaded machine adds its own).
        Assert.That(result.RoundTripTime, Is.Not.Null.And.InRange(TimeSpan.FromTicks(1), TimeSpan.FromMilliseconds(500)));
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(60_000)]
    public async Task MeasurePeer_OverADelayedLink_ReportsARoundTripOfAtLeastTheDelay()
    {
        await using var overlay = new TestOverlay();
        var measurer = new Measurer();
        var a = await overlay.AddAsync(measurer);
        var b = await overlay.AddAsync(new RelayAlgorithm());

        // 300 ms of emulated delay on the way out; the pong comes straight back (B adds none on its side).
        var delay = TimeSpan.FromMilliseconds(300);
        a.SetLinkConditions(b.Id, new LinkConditions { Delay = delay });
        await a.InvokeAsync(() => measurer.Measure(b.Id));
        Assert.That(await Eventually.TrueAsync(() => measurer.Results.ContainsKey(b.Id), TimeSpan.FromSeconds(15)), Is.True);
        var result = measurer.Results[b.Id];
        TestContext.Out.WriteLine($"RTT {result.RoundTripTime?.TotalMilliseconds:F2} ms over a link delayed {delay.TotalMilliseconds} ms");

        // Never less than the delay; the margin above it is for a loaded machine, and stays below a second delay (the
        // pong delayed as well, or the ping twice).
        Assert.That(result.RoundTripTime, Is.Not.Null.And.InRange(delay, delay + TimeSpan.FromMilliseconds(290)));
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(60_000)]
    public async Task MeasurePeer_Unreachable_ReportsFailure()
    {
        await using var overlay = new TestOverlay();
        var measurer = new Measurer();
        var a = await overlay.AddAsync(measurer);
        var nobody = NodeId.FromEndPoint(FreePort());

        await a.InvokeAsync(() => measurer.Measure(nobody));
        Assert.That(await Eventually.TrueAsync(() => measurer.Results.ContainsKey(nobody), TimeSpan.FromSeconds(15)), Is.True);
        Assert.That(measurer.Results[nobody].BytesPerSecond, Is.Null);
        Assert.That(measurer.SendFailures, Does.Contain(nobody));
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(60_000)]
    public async Task IdleLink_IsReportedIdleOnce_AndAgainAfterTrafficResumes()
    {
        var interval = TimeSpan.FromMilliseconds(100);
        await using var overlay = new TestOverlay();
        var reporter = new ReportCounter();
        var a = await overlay.AddAsync(reporter, o => o.MeasurementInterval = interval);
        var b = await overlay.AddAsync(new RelayAlgorithm());

        for (var burst = 1; burst <= 2; burst++)
        {
            await a.InvokeAsync(() => reporter.SendData(b.Id));
            Assert.That(await Eventually.TrueAsync(() => reporter.IdleReports(b.Id) == burst, TimeSpan.FromSeconds(15)), Is.True, $"burst {burst} ends in an idle report");
            // Ten more intervals of silence: no further report about the idle link.
            await Task.Delay(interval * 10);
            Assert.That(reporter.IdleReports(b.Id), Is.EqualTo(burst));
            Assert.That(reporter.BusyReports(b.Id), Is.GreaterThanOrEqualTo(burst));
        }

        Assert.That(a.GetStatistics().Find(b.Id, LinkDirection.Downstream)?.RoundTripTime, Is.Not.Null, "an idle link still has its round-trip time");
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    private static IPEndPoint FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return (IPEndPoint)probe.LocalEndPoint!; // closed again at once: nobody listens there
    }

    private sealed class Measurer : Algorithm
    {
        public ConcurrentDictionary<NodeId, MeasurementResult> Results { get; } = new();

        public ConcurrentBag<NodeId> SendFailures { get; } = [];

        public void Measure(NodeId peer) => MeasurePeer(peer);

        public override Disposition Process(Message message)
        {
            if (MeasurementResult.TryRead(message, out var result))
                Results[message.Sender] = result;
            return base.Process(message);
        }

        protected override void OnSendFailed(NodeId peer) => SendFailures.Add(peer);
    }

    private sealed class ReportCounter : Algorithm
    {
        private readonly ConcurrentDictionary<NodeId, (int Busy, int Idle)> _reports = new();

        public int BusyReports(NodeId peer) => _reports.GetValueOrDefault(peer).Busy;

        public int IdleReports(NodeId peer) => _reports.GetValueOrDefault(peer).Idle;

        public void SendData(NodeId peer)
        {
            var message = CreateMessage(MessageTypes.Data, 1, 100);
            Send(message, peer);
        }

        public override Disposition Process(Message message)
        {
            if (message.Type == MessageTypes.DownThroughput && ThroughputReport.TryRead(message, out var report))
            {
                _reports.AddOrUpdate(
                    message.Sender,
                    _ => report.BytesPerSecond > 0 ? (1, 0) : (0, 1),
                    (_, counts) => report.BytesPerSecond > 0 ? (counts.Busy + 1, counts.Idle) : (counts.Busy, counts.Idle + 1));
            }

            return base.Process(message);
        }
    }
}
