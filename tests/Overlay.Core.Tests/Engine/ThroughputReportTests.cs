using System.Collections.Concurrent;
using NUnit.Framework;

namespace Overlay.Core.Tests.Engine;

/// <summary>
/// The receiving side's algorithm gets <see cref="MessageTypes.UpThroughput"/> reports about each upstream: its rate
/// while data flows, and one idle report when it stops. A node whose links are all idle and reported is not woken.
/// </summary>
[Category("Integration")]
public class ThroughputReportTests
{
    [Test, CancelAfter(60_000)]
    public async Task UpThroughput_ReportsTheUpstreamsRate_ThenIdleOnce()
    {
        var interval = TimeSpan.FromMilliseconds(250);
        await using var overlay = new TestOverlay();
        var sender = new RelayAlgorithm();
        var a = await overlay.AddAsync(sender);
        var reports = new ReportRecorder();
        var b = await overlay.AddAsync(reports, o => o.MeasurementInterval = interval);
        sender.Children.Add(b.Id);
        b.SetLinkBandwidth(a.Id, LinkDirection.Upstream, 200_000);
        await a.DeploySourceAsync(1, new SourceOptions { PayloadLength = 5 * 1024, MessageLimit = 150 }); // about 4 s

        Assert.That(
            await Eventually.TrueAsync(
                () => b.GetStatistics().Find(a.Id, LinkDirection.Upstream)?.Messages == 150 && reports.Up(a.Id) is [.., > 0, 0],
                TimeSpan.FromSeconds(30)),
            Is.True,
            "once the data stopped the upstream was reported idle: " + string.Join(", ", reports.Up(a.Id)));
        var all = reports.Up(a.Id);
        TestContext.Out.WriteLine("UpThroughput KB/s: " + string.Join(", ", all.Select(r => (r / 1000).ToString("F0"))));
        var busy = all.Where(r => r > 0).ToList();
        Assert.That(busy, Has.Count.GreaterThanOrEqualTo(4));
        // The first and last intervals are partly idle; a stall of this loaded machine moves bytes from one report to
        // the next, so the typical report is what must match the limit.
        var middle = busy.Skip(1).SkipLast(1).Order().ToList();
        Assert.That(middle[middle.Count / 2], Is.EqualTo(200_000).Within(15).Percent, "median report");

        // Ten more intervals of silence: no further report about the idle upstream.
        await Task.Delay(interval * 10);
        Assert.That(reports.Up(a.Id), Is.EqualTo(all), "an idle upstream is reported idle once");
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(60_000)]
    public async Task IdleNodes_WhoseLinksWereReportedIdle_AreNotWoken()
    {
        var interval = TimeSpan.FromMilliseconds(50);
        await using var overlay = new TestOverlay();
        var sender = new ReportRecorder();
        var a = await overlay.AddAsync(sender, o => o.MeasurementInterval = interval);
        var receiver = new ReportRecorder();
        var b = await overlay.AddAsync(receiver, o => o.MeasurementInterval = interval);
        await a.InvokeAsync(() => sender.SendOne(b.Id));
        Assert.That(
            await Eventually.TrueAsync(() => sender.Down(b.Id).Contains(0) && receiver.Up(a.Id).Contains(0), TimeSpan.FromSeconds(20)),
            Is.True,
            "both ends reported the link idle");
        // The first round trip is probed at once; its pong may still be on its way on a loaded machine.
        Assert.That(
            await Eventually.TrueAsync(() => a.GetStatistics().Find(b.Id, LinkDirection.Downstream)?.RoundTripTime is not null, TimeSpan.FromSeconds(20)),
            Is.True,
            "the first round trip was measured");

        var (wokenA, wokenB) = (a.LoopWakeUps, b.LoopWakeUps);
        await Task.Delay(interval * 40); // forty measurement ticks
        TestContext.Out.WriteLine($"loop wake-ups over 40 idle intervals: A {a.LoopWakeUps - wokenA}, B {b.LoopWakeUps - wokenB}");
        Assert.That(a.LoopWakeUps, Is.EqualTo(wokenA), "A's loop was woken");
        Assert.That(b.LoopWakeUps, Is.EqualTo(wokenB), "B's loop was woken");
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    /// <summary>Records every throughput report, per peer and direction, in order.</summary>
    private sealed class ReportRecorder : Algorithm
    {
        private readonly ConcurrentDictionary<(NodeId, int), ConcurrentQueue<double>> _reports = new();

        public List<double> Up(NodeId peer) => [.. _reports.GetOrAdd((peer, MessageTypes.UpThroughput), _ => new())];

        public List<double> Down(NodeId peer) => [.. _reports.GetOrAdd((peer, MessageTypes.DownThroughput), _ => new())];

        public void SendOne(NodeId peer) => Send(CreateMessage(MessageTypes.Data, 1, 100), peer);

        public override Disposition Process(Message message)
        {
            if (message.Type is MessageTypes.UpThroughput or MessageTypes.DownThroughput && ThroughputReport.TryRead(message, out var report))
                _reports.GetOrAdd((message.Sender, message.Type), _ => new()).Enqueue(report.BytesPerSecond);
            return base.Process(message);
        }
    }
}
