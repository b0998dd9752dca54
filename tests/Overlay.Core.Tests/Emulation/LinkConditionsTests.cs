using NUnit.Framework;
using Overlay.Emulation;

namespace Overlay.Core.Tests.Emulation;

[Category("Integration")]
public class LinkConditionsTests
{
    [Test, CancelAfter(90_000)]
    public async Task Delay50msEachWay_RoundTripIsAbout100ms()
    {
        await using var overlay = new TestOverlay();
        var sender = new Trickle();
        var a = await overlay.AddAsync(sender, o => o.MeasurementInterval = TimeSpan.FromMilliseconds(250));
        var b = await overlay.AddAsync(new RelayAlgorithm());
        a.SetLinkConditions(b.Id, new LinkConditions { Delay = TimeSpan.FromMilliseconds(50) });
        b.SetLinkConditions(a.Id, new LinkConditions { Delay = TimeSpan.FromMilliseconds(50) });
        // A link that carries data has its round trip probed every interval (an idle one only every minute), so each
        // new value is a new measurement.
        await a.InvokeAsync(() => sender.Start(b.Id));

        // Timers and thread-pool hops on a loaded 2-core machine only ever add delay, never remove it: no reading may
        // be below 100 ms, and the best of them must come within 10 ms of it.
        var samples = new List<double>();
        double? last = null;
        var found = await Eventually.TrueAsync(
            () =>
            {
                if (a.GetStatistics().Find(b.Id, LinkDirection.Downstream)?.RoundTripTime is { } rtt && rtt.TotalMilliseconds != last)
                {
                    last = rtt.TotalMilliseconds;
                    samples.Add(rtt.TotalMilliseconds);
                }

                return samples.Count >= 8 && samples.Min() <= 110;
            },
            TimeSpan.FromSeconds(60));
        TestContext.Out.WriteLine("RTT samples ms: " + string.Join(", ", samples.Select(s => s.ToString("F1"))));
        Assert.That(found, Is.True, "eight round trips measured, the best within 10 ms of 100 ms");
        Assert.That(samples.Min(), Is.GreaterThanOrEqualTo(99), "best round-trip time");
        samples.Sort();
        Assert.That(samples[samples.Count / 2], Is.InRange(99, 200), "median round-trip time: the delay applies once each way");
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(120_000)]
    public async Task TenPercentLoss_DropsTenPercent_TheSameMessagesEveryRun()
    {
        var first = await ReceivedWithLossAsync(seed: 42);
        var second = await ReceivedWithLossAsync(seed: 42);
        var dropped = 10_000 - first.Count;
        TestContext.Out.WriteLine($"dropped {dropped} of 10000; second run dropped {10_000 - second.Count}");
        Assert.That(dropped, Is.InRange(800, 1200));
        Assert.That(second, Is.EqualTo(first), "a fixed seed drops the same messages");
        var other = await ReceivedWithLossAsync(seed: 7);
        Assert.That(other, Is.Not.EqualTo(first), "another seed drops other messages");
    }

    private static async Task<List<int>> ReceivedWithLossAsync(int seed)
    {
        await using var overlay = new TestOverlay();
        var sender = new RelayAlgorithm();
        var a = await overlay.AddAsync(sender, o => o.EmulationSeed = seed);
        var receiver = new RelayAlgorithm();
        var b = await overlay.AddAsync(receiver);
        a.SetLinkConditions(b.Id, new LinkConditions { LossRate = 0.10 });
        sender.Children.Add(b.Id);
        await a.DeploySourceAsync(1, new SourceOptions { PayloadLength = 100, MessageLimit = 10_000 });
        await Eventually.TrueAsync(
            () => a.GetStatistics().Find(b.Id, LinkDirection.Downstream) is { } s && s.Messages + s.EmulatedLoss >= 10_000,
            TimeSpan.FromSeconds(30));
        var stats = a.GetStatistics().Find(b.Id, LinkDirection.Downstream)!;
        await Eventually.TrueAsync(() => receiver.Delivered >= stats.Messages, TimeSpan.FromSeconds(10));
        Assert.That(stats.Messages + stats.EmulatedLoss, Is.EqualTo(10_000));
        var received = receiver.ArrivalsFrom(a.Id);
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
        return received;
    }

    /// <summary>Sends a 100-byte message to its target every 20 ms.</summary>
    private sealed class Trickle : Algorithm
    {
        public void Start(NodeId target) =>
            Schedule(TimeSpan.Zero, TimeSpan.FromMilliseconds(20), () => Send(CreateMessage(MessageTypes.Data, 1, 100), target));
    }
}
