using NUnit.Framework;

namespace Overlay.Core.Tests.Engine;

[Category("Integration")]
public class SwitchTests
{
    [Test, CancelAfter(60_000)]
    public async Task Chain_FiveNodes_DeliversEveryMessageOnceInOrderIntact()
    {
        const int Count = 3000;
        await using var overlay = new TestOverlay();
        var algorithms = Enumerable.Range(0, 5).Select(_ => new RelayAlgorithm()).ToArray();
        var nodes = new List<OverlayNode>();
        foreach (var algorithm in algorithms)
            nodes.Add(await overlay.AddAsync(algorithm));
        for (var i = 0; i < 4; i++)
            algorithms[i].Children.Add(nodes[i + 1].Id);

        await nodes[0].DeploySourceAsync(1, new SourceOptions { PayloadLength = 5 * 1024, MessageLimit = Count });
        var sink = algorithms[4];
        Assert.That(await Eventually.TrueAsync(() => sink.Delivered >= Count, TimeSpan.FromSeconds(45)), Is.True, $"sink got {sink.Delivered}");
        await Task.Delay(200); // anything extra would show up now
        Assert.That(sink.ArrivalsFrom(nodes[3].Id), Is.EqualTo(Enumerable.Range(0, Count)));
        Assert.That(sink.Corrupt, Is.Zero);
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
        Assert.That(overlay.Pool.DoubleReleases, Is.Zero);
    }

    [Test, CancelAfter(60_000)]
    public async Task FanOut_SlowDownstream_SmallBuffers_ThrottleEveryone()
    {
        await using var overlay = new TestOverlay();
        var (fast1, fast2, slow) = await BuildFanOutAsync(overlay, bufferCapacity: 4);

        // Once buffers fill, the fast downstreams cannot run further ahead of the slow one than the buffers hold:
        // counted over the next 400 messages the slow one takes (however long this loaded machine needs for them).
        Assert.That(await Eventually.TrueAsync(() => slow.Delivered > 200, TimeSpan.FromSeconds(30)), Is.True, "the buffers filled");
        var fastBefore = fast1.Delivered;
        var slowBefore = slow.Delivered;
        Assert.That(await Eventually.TrueAsync(() => slow.Delivered >= slowBefore + 400, TimeSpan.FromSeconds(30)), Is.True);
        var fastRate = fast1.Delivered - fastBefore;
        var slowRate = slow.Delivered - slowBefore;
        TestContext.Out.WriteLine($"while slow took {slowRate}: fast took {fastRate}; totals fast {fast1.Delivered}, slow {slow.Delivered}");
        Assert.That(slowRate, Is.GreaterThan(0));
        Assert.That(fastRate, Is.InRange(slowRate * 0.7, (slowRate * 1.3) + 20), $"fast {fastRate} vs slow {slowRate}");
        Assert.That(Math.Abs(fast1.Delivered - fast2.Delivered), Is.LessThan(100));
        Assert.That(fast1.Delivered - slow.Delivered, Is.LessThan(200), "the fast ones ran ahead further than buffers allow");
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(60_000)]
    public async Task FanOut_SlowDownstream_LargeBuffers_FastOnesRunAhead()
    {
        await using var overlay = new TestOverlay();
        var (fast1, fast2, slow) = await BuildFanOutAsync(overlay, bufferCapacity: 20_000);

        // The slow node takes at most ~250 messages a second; with room to buffer, the fast ones need not wait for it.
        Assert.That(await Eventually.TrueAsync(() => fast1.Delivered >= 4000 && fast2.Delivered >= 4000, TimeSpan.FromSeconds(30)), Is.True);
        var slowNow = slow.Delivered;
        TestContext.Out.WriteLine($"fast {fast1.Delivered}/{fast2.Delivered}, slow {slowNow}");
        Assert.That(slowNow, Is.GreaterThan(0));
        Assert.That(slowNow, Is.LessThan(fast1.Delivered / 2), "the fast downstreams were held back by the slow one");
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(60_000)]
    public async Task Algorithm_NeverRunsConcurrentlyWithItself_UnderLoadTimersAndInvokes()
    {
        await using var overlay = new TestOverlay();
        var watcher = new ReentrancyWatcher();
        var hub = await overlay.AddAsync(watcher);
        for (var i = 0; i < 3; i++)
        {
            var source = new RelayAlgorithm();
            var node = await overlay.AddAsync(source);
            source.Children.Add(hub.Id);
            await node.DeploySourceAsync(i, new SourceOptions { PayloadLength = 256, MessageLimit = 20_000 });
        }

        var invokes = Enumerable.Range(0, 200).Select(_ => Task.Run(() => hub.InvokeAsync(watcher.Touch))).ToArray();
        await Task.WhenAll(invokes);
        Assert.That(await Eventually.TrueAsync(() => watcher.Messages >= 60_000, TimeSpan.FromSeconds(45)), Is.True, $"{watcher.Messages} messages");
        Assert.That(watcher.Overlaps, Is.Zero);
        Assert.That(watcher.TimerTicks, Is.GreaterThan(0));
        Assert.That(watcher.Invokes, Is.EqualTo(200));
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    private static async Task<(RelayAlgorithm Fast1, RelayAlgorithm Fast2, RelayAlgorithm Slow)> BuildFanOutAsync(TestOverlay overlay, int bufferCapacity)
    {
        void Configure(OverlayNodeOptions o)
        {
            o.BufferCapacity = bufferCapacity;
            o.SocketBufferSize = 16 * 1024;
        }

        var root = new RelayAlgorithm();
        var fast1 = new RelayAlgorithm();
        var fast2 = new RelayAlgorithm();
        var slow = new SlowAlgorithm(TimeSpan.FromMilliseconds(4));
        var rootNode = await overlay.AddAsync(root, Configure);
        foreach (var child in new Algorithm[] { fast1, fast2, slow })
            root.Children.Add((await overlay.AddAsync(child, Configure)).Id);
        await rootNode.DeploySourceAsync(1, new SourceOptions { PayloadLength = 2048 });
        return (fast1, fast2, slow);
    }

    private sealed class SlowAlgorithm(TimeSpan delay) : RelayAlgorithm
    {
        protected override void OnData(Message message) => Thread.Sleep(delay);
    }

    private sealed class ReentrancyWatcher : Algorithm
    {
        private int _inside;
        private long _overlaps;
        private long _messages;
        private long _ticks;
        private long _invokes;

        public long Overlaps => Interlocked.Read(ref _overlaps);

        public long Messages => Interlocked.Read(ref _messages);

        public long TimerTicks => Interlocked.Read(ref _ticks);

        public long Invokes => Interlocked.Read(ref _invokes);

        public override Disposition Process(Message message)
        {
            Enter();
            if (message.Type == MessageTypes.Data)
                Interlocked.Increment(ref _messages);
            Thread.SpinWait(50);
            Exit();
            return base.Process(message);
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
            if (Interlocked.Exchange(ref _inside, 1) != 0)
                Interlocked.Increment(ref _overlaps);
        }

        private void Exit() => Volatile.Write(ref _inside, 0);
    }
}
