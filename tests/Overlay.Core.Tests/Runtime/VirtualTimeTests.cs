using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using Overlay.Runtime;

namespace Overlay.Core.Tests.Runtime;

/// <summary>
/// A world on a <see cref="FakeTimeProvider"/>: the nodes' timers and measurements move only when the test moves the
/// clock, and fire at the virtual times they are due. The links are real (TCP on 127.0.0.1); only time is virtual.
/// </summary>
/// <remarks>
/// After each step of the clock the test waits for the node's loop with an <see cref="OverlayNode.InvokeAsync"/>: a
/// timer that fired during the step posted its event before that call did, so by the time the call has run, so has
/// the timer's work. No wall-clock waits.
/// </remarks>
[Category("Integration")]
public class VirtualTimeTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(125);

    [Test, CancelAfter(60_000)]
    public async Task AlgorithmTimers_FireOnlyWhenTheFakeClockAdvances_AtTheirVirtualTimes()
    {
        var clock = new FakeTimeProvider();
        var world = new OverlayRuntime { TimeProvider = clock };
        var algorithm = new TickingAlgorithm(TimeSpan.FromSeconds(1));
        await using var node = new OverlayNode(new OverlayNodeOptions { Runtime = world }, algorithm);
        await node.StartAsync();
        await node.InvokeAsync(() => { }); // OnStart has run: the timer is scheduled
        var start = algorithm.StartedAt;

        clock.Advance(TimeSpan.FromMilliseconds(999));
        await node.InvokeAsync(() => { });
        Assert.That(algorithm.Fired, Is.Empty, "not due before one virtual second");

        for (var second = 1; second <= 3; second++)
        {
            clock.Advance(second == 1 ? TimeSpan.FromMilliseconds(1) : TimeSpan.FromSeconds(1));
            await node.InvokeAsync(() => { });
            Assert.That(algorithm.Fired, Has.Count.EqualTo(second), $"one firing per virtual second, at second {second}");
            Assert.That(algorithm.Fired[^1], Is.EqualTo(start + TimeSpan.FromSeconds(second)), "fired at its virtual time");
        }

        await node.StopAsync();
        Assert.That(world.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(60_000)]
    public async Task ThroughputReports_ComeOnTheVirtualInterval_WithRatesExactInVirtualTime()
    {
        var clock = new FakeTimeProvider();
        var world = new OverlayRuntime { TimeProvider = clock };
        var sender = new ReportingAlgorithm();
        var receiver = new ReportingAlgorithm();
        await using var a = new OverlayNode(new OverlayNodeOptions { Runtime = world }, sender);
        await using var b = new OverlayNode(new OverlayNodeOptions { Runtime = world }, receiver);
        await a.StartAsync();
        await b.StartAsync();

        // The data moves in real time (no emulated limit); the clock stands still meanwhile.
        const int count = 50;
        await a.InvokeAsync(() =>
        {
            for (var i = 0; i < count; i++)
                sender.SendData(b.Id, 1000);
        });
        Assert.That(await Eventually.TrueAsync(() => receiver.Received == count, TimeSpan.FromSeconds(20)), Is.True, $"b got {receiver.Received} of {count}");
        var bytes = b.GetStatistics().Find(a.Id, LinkDirection.Upstream)!.Bytes;
        Assert.That(bytes, Is.EqualTo(count * (1000 + Overlay.Wire.MessageHeader.Size)));
        await b.InvokeAsync(() => { });
        Assert.That(receiver.Up(a.Id), Is.Empty, "no report while the clock stands still");

        // Step the clock by an eighth of the interval (the ticker's slot) until b's report comes: within one interval.
        var steps = 0;
        while (receiver.Up(a.Id).Count == 0 && steps < 8)
        {
            clock.Advance(Step);
            steps++;
            await b.InvokeAsync(() => { });
        }

        var first = receiver.Up(a.Id);
        Assert.That(first, Has.Count.EqualTo(1), $"one report within one interval ({steps} steps)");
        var elapsed = (Step * steps).TotalSeconds;
        Assert.That(first[0], Is.EqualTo(bytes / elapsed).Within(1e-9).Percent, $"the rate is the bytes over the virtual time since the link opened ({elapsed} s)");

        // The next report (the link fell idle) is due exactly one interval later, not a step sooner; then none.
        for (var i = 1; i <= 8 + 16; i++)
        {
            clock.Advance(Step);
            await b.InvokeAsync(() => { });
            var expected = i < 8 ? 1 : 2;
            Assert.That(receiver.Up(a.Id), Has.Count.EqualTo(expected), $"{i} steps after the first report");
        }

        Assert.That(receiver.Up(a.Id)[1], Is.Zero, "the idle report");
        await a.StopAsync();
        await b.StopAsync();
        Assert.That(world.Pool.Outstanding, Is.Zero);
    }

    /// <summary>Schedules a periodic timer on start and records the node's clock at each firing.</summary>
    private sealed class TickingAlgorithm(TimeSpan period) : Algorithm
    {
        private readonly ConcurrentQueue<DateTimeOffset> _fired = new();

        public DateTimeOffset StartedAt { get; private set; }

        public List<DateTimeOffset> Fired => [.. _fired];

        protected override void OnStart()
        {
            StartedAt = Node.TimeProvider.GetUtcNow();
            Schedule(period, period, () => _fired.Enqueue(Node.TimeProvider.GetUtcNow()));
        }
    }

    /// <summary>Sends data on request, counts data received and records every throughput report per peer.</summary>
    private sealed class ReportingAlgorithm : Algorithm
    {
        private readonly ConcurrentDictionary<NodeId, ConcurrentQueue<double>> _up = new();
        private long _received;

        public long Received => Interlocked.Read(ref _received);

        public List<double> Up(NodeId peer) => [.. _up.GetOrAdd(peer, _ => new())];

        public void SendData(NodeId peer, int payloadLength) => Send(CreateMessage(MessageTypes.Data, 1, payloadLength), peer);

        public override Disposition Process(Message message)
        {
            if (message.Type == MessageTypes.Data)
                Interlocked.Increment(ref _received);
            if (message.Type == MessageTypes.UpThroughput && ThroughputReport.TryRead(message, out var report))
                _up.GetOrAdd(message.Sender, _ => new()).Enqueue(report.BytesPerSecond);
            return base.Process(message);
        }
    }
}
