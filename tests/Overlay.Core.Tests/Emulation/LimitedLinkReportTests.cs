using System.Collections.Concurrent;
using NUnit.Framework;

namespace Overlay.Core.Tests.Emulation;

/// <summary>The sender's throughput reports follow what the link carries, interval by interval.</summary>
[Category("Integration")]
public class LimitedLinkReportTests
{
    private const double Limit = 40_000;

    [Test, CancelAfter(90_000)]
    public async Task SteadyLimitedLink_EverySendersReport_IsWithin20PercentOfTheLimit()
    {
        const int warmUp = 2;
        const int checkedReports = 8;
        await using var overlay = new TestOverlay();
        var sender = new ReportRecorder();
        var a = await overlay.AddAsync(sender);
        var b = await overlay.AddAsync(new RelayAlgorithm());
        sender.Children.Add(b.Id);
        a.SetLinkBandwidth(b.Id, LinkDirection.Downstream, Limit);
        await a.DeploySourceAsync(1, new SourceOptions { PayloadLength = 1000 });

        Assert.That(
            await Eventually.TrueAsync(() => sender.Reports(b.Id).Count >= warmUp + checkedReports, TimeSpan.FromSeconds(60)),
            Is.True);
        var reports = sender.Reports(b.Id).Skip(warmUp).Take(checkedReports).ToList();
        TestContext.Out.WriteLine("DownThroughput reports (KB/s): " + string.Join(", ", reports.Select(r => (r / 1000).ToString("F1"))));
        Assert.That(reports, Has.All.InRange(0.8 * Limit, 1.2 * Limit));
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(60_000)]
    public async Task FirstReportAfterALongIdleSpell_CountsOneInterval_NotTheWholeSpell()
    {
        var interval = TimeSpan.FromMilliseconds(200);
        const int messages = 20;
        const int payload = 5000;
        const double burstBytes = messages * (payload + 24.0);
        await using var overlay = new TestOverlay();
        var sender = new ReportRecorder();
        var a = await overlay.AddAsync(sender, o => o.MeasurementInterval = interval);
        var b = await overlay.AddAsync(new RelayAlgorithm());

        await a.InvokeAsync(() => sender.SendData(b.Id, 1, payload));
        Assert.That(await Eventually.TrueAsync(() => sender.Reports(b.Id) is [.., 0], TimeSpan.FromSeconds(15)), Is.True, "the link is reported idle");
        await Task.Delay(interval * 20); // a long idle spell: the settled node is not sampled
        var before = sender.Reports(b.Id).Count;

        await a.InvokeAsync(() => sender.SendData(b.Id, messages, payload));
        Assert.That(await Eventually.TrueAsync(() => sender.Reports(b.Id) is [.., 0] list && list.Count > before + 1, TimeSpan.FromSeconds(15)), Is.True, "the burst is reported, then idle again");

        // Each report is a rate over (about) one interval, so the burst's bytes are the reports' sum times the interval.
        var after = sender.Reports(b.Id).Skip(before).ToList();
        var inferred = after.Sum() * interval.TotalSeconds;
        TestContext.Out.WriteLine($"reports after the idle spell (KB/s): {string.Join(", ", after.Select(r => (r / 1000).ToString("F1")))}; "
            + $"bytes inferred {inferred:F0} of {burstBytes:F0}");
        Assert.That(inferred, Is.GreaterThanOrEqualTo(0.5 * burstBytes));
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    /// <summary>A relay that records the DownThroughput reports about each peer, in order.</summary>
    private sealed class ReportRecorder : RelayAlgorithm
    {
        private readonly ConcurrentDictionary<NodeId, List<double>> _reports = new();

        public List<double> Reports(NodeId peer)
        {
            var list = _reports.GetOrAdd(peer, _ => []);
            lock (list)
                return [.. list];
        }

        public void SendData(NodeId peer, int count, int payload)
        {
            for (var i = 0; i < count; i++)
                Send(CreateMessage(MessageTypes.Data, 1, payload), peer);
        }

        public override Disposition Process(Message message)
        {
            if (message.Type == MessageTypes.DownThroughput && ThroughputReport.TryRead(message, out var report))
            {
                var list = _reports.GetOrAdd(message.Sender, _ => []);
                lock (list)
                    list.Add(report.BytesPerSecond);
            }

            return base.Process(message);
        }
    }
}
