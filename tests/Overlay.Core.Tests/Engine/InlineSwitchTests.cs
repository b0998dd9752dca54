using NUnit.Framework;

namespace Overlay.Core.Tests.Engine;

/// <summary>
/// The I/O loops run the switch themselves while a node's loop task sleeps: the algorithm must still see one
/// message at a time, in order, never concurrently with its timers or invokes.
/// </summary>
[Category("Integration")]
public class InlineSwitchTests
{
    [Test, CancelAfter(90_000)]
    public async Task SmallMessagesThroughTwoRelays_RunInline_OneAtATimeInOrderIntact()
    {
        const int Count = 60_000;
        await using var overlay = new TestOverlay();
        var source = new RelayAlgorithm();
        var relays = new[] { new WatchedRelay(), new WatchedRelay() };
        var sink = new WatchedRelay();
        var sourceNode = await overlay.AddAsync(source);
        var relayNodes = new List<OverlayNode>();
        foreach (var relay in relays)
            relayNodes.Add(await overlay.AddAsync(relay));
        var sinkNode = await overlay.AddAsync(sink);
        source.Children.Add(relayNodes[0].Id);
        relays[0].Children.Add(relayNodes[1].Id);
        relays[1].Children.Add(sinkNode.Id);

        await sourceNode.DeploySourceAsync(1, new SourceOptions { PayloadLength = 64, MessageLimit = Count });
        var invokes = Enumerable.Range(0, 100)
            .SelectMany(_ => relayNodes.Select((node, i) => Task.Run(() => node.InvokeAsync(relays[i].Touch))))
            .ToArray();
        await Task.WhenAll(invokes);
        Assert.That(await Eventually.TrueAsync(() => sink.Delivered >= Count, TimeSpan.FromSeconds(60)), Is.True, $"sink got {sink.Delivered}");
        await Task.Delay(200); // anything extra would show up now

        Assert.That(sink.ArrivalsFrom(relayNodes[1].Id), Is.EqualTo(Enumerable.Range(0, Count)));
        Assert.That(sink.Corrupt, Is.Zero);
        foreach (var algorithm in relays.Append(sink))
        {
            Assert.That(algorithm.Overlaps, Is.Zero, "the algorithm ran on two threads at once");
            Assert.That(algorithm.Nested, Is.Zero, "the algorithm was re-entered");
        }

        Assert.That(relays.Sum(r => r.Invokes), Is.EqualTo(200));
        Assert.That(relays.All(r => r.TimerTicks > 0), Is.True);
        var inline = relayNodes.Append(sinkNode).Select(n => n.InlineSwitchRuns).ToArray();
        TestContext.Out.WriteLine($"inline switch runs: {string.Join(", ", inline)}");
        Assert.That(inline.All(runs => runs > 0), Is.True, "the I/O loops never ran the switch themselves");
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
        Assert.That(overlay.Pool.DoubleReleases, Is.Zero);
    }

    /// <summary>A relay that counts any overlap of its own callbacks, on any thread.</summary>
    private sealed class WatchedRelay : RelayAlgorithm
    {
        private int _inside;
        private int _ownerThread;
        private long _overlaps;
        private long _nested;
        private long _ticks;
        private long _invokes;

        public long Overlaps => Interlocked.Read(ref _overlaps);

        public long Nested => Interlocked.Read(ref _nested);

        public long TimerTicks => Interlocked.Read(ref _ticks);

        public long Invokes => Interlocked.Read(ref _invokes);

        public override Disposition Process(Message message)
        {
            Enter();
            try
            {
                return base.Process(message);
            }
            finally
            {
                Exit();
            }
        }

        public void Touch()
        {
            Enter();
            Interlocked.Increment(ref _invokes);
            Exit();
        }

        protected override void OnStart() =>
            Schedule(TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(1), () =>
            {
                Enter();
                Interlocked.Increment(ref _ticks);
                Exit();
            });

        private void Enter()
        {
            var thread = Environment.CurrentManagedThreadId;
            if (Interlocked.CompareExchange(ref _inside, 1, 0) != 0)
            {
                if (Volatile.Read(ref _ownerThread) == thread)
                    Interlocked.Increment(ref _nested);
                else
                    Interlocked.Increment(ref _overlaps);
            }

            Volatile.Write(ref _ownerThread, thread);
        }

        private void Exit()
        {
            Volatile.Write(ref _ownerThread, 0);
            Volatile.Write(ref _inside, 0);
        }
    }
}
