using NUnit.Framework;

namespace Overlay.Core.Tests.Engine;

/// <summary>The switch serves each input up to its weight per round; its round counter may wrap without harm.</summary>
[Category("Integration")]
public class WeightedRoundRobinTests
{
    [Test, CancelAfter(90_000)]
    public async Task UpstreamWeightThree_IsServedThreeTimesAsOften_WhileBothAreBacklogged()
    {
        const int Capacity = 256;
        await using var overlay = new TestOverlay();
        var hub = new GatedHub();
        var h = await overlay.AddAsync(hub, o => o.BufferCapacity = Capacity);
        var (x, y) = await StartSendersAsync(overlay, h);
        Assert.That(await Eventually.TrueAsync(() => h.GetStatistics().Upstreams.Count == 2, TimeSpan.FromSeconds(20)), Is.True);
        await h.InvokeAsync(() => hub.Weigh(x.Id, 3));

        // The hub holds its loop until both inbound buffers are full, then lets go: the next 300 messages come from
        // buffers that cannot run dry meanwhile (x gives 225 of its 256, y 75), so only the weights decide the order,
        // however slowly this loaded machine refills them. The hold runs as an invoke, which always runs on the loop
        // task: a receive loop that runs the switch itself would stop filling its own buffer while held.
        var held = h.InvokeAsync(hub.Hold);
        try
        {
            Assert.That(
                await Eventually.TrueAsync(() => h.GetStatistics().Upstreams.All(u => u.BufferedMessages == Capacity), TimeSpan.FromSeconds(30)),
                Is.True,
                "both inbound buffers filled");
        }
        finally
        {
            hub.Release(); // a held loop could not stop
        }

        await held;
        Assert.That(await Eventually.TrueAsync(() => hub.Order.Count >= 300, TimeSpan.FromSeconds(30)), Is.True);
        var first = hub.Order.Take(300).ToList();
        var fromX = first.Count(p => p == x.Id);
        var fromY = first.Count(p => p == y.Id);
        TestContext.Out.WriteLine($"of the first 300 after the release: {fromX} from the weight-3 upstream, {fromY} from the weight-1 one");
        Assert.That(fromX + fromY, Is.EqualTo(300));
        Assert.That(fromX, Is.InRange(225 - 3, 225 + 3), "three per round from x, one from y");
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(60_000)]
    public async Task RoundRobinCounter_WrapsPastItsMaximum_AndTheSwitchKeepsServingEveryInput()
    {
        await using var overlay = new TestOverlay();
        var hub = new CountingHub();
        var h = await overlay.AddAsync(hub);
        // Three inputs (loopback and two upstreams): a count that does not divide 2^32, so a signed index goes negative.
        var (x, y) = await StartSendersAsync(overlay, h);
        Assert.That(await Eventually.TrueAsync(() => h.GetStatistics().Upstreams.Count == 2, TimeSpan.FromSeconds(20)), Is.True);
        await h.InvokeAsync(() => h.RoundRobinCounter = int.MaxValue - 100);

        var (x0, y0) = (hub.From(x.Id), hub.From(y.Id));
        Assert.That(
            await Eventually.TrueAsync(() => hub.From(x.Id) > x0 + 1000 && hub.From(y.Id) > y0 + 1000, TimeSpan.FromSeconds(30)),
            Is.True,
            $"served {hub.From(x.Id) - x0} and {hub.From(y.Id) - y0} after the counter was set near its maximum");
        var counter = 0;
        await h.InvokeAsync(() => counter = h.RoundRobinCounter);
        Assert.That(counter, Is.LessThan(0), "the counter wrapped");
        Assert.That(hub.InOrder, Is.True, "each upstream's messages were processed in order");
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    private static async Task<(OverlayNode X, OverlayNode Y)> StartSendersAsync(TestOverlay overlay, OverlayNode hub)
    {
        var nodes = new List<OverlayNode>();
        for (var app = 1; app <= 2; app++)
        {
            var sender = new RelayAlgorithm();
            var node = await overlay.AddAsync(sender, o => o.SocketBufferSize = 16 * 1024);
            sender.Children.Add(hub.Id);
            await node.DeploySourceAsync(app, new SourceOptions { PayloadLength = 100 });
            nodes.Add(node);
        }

        return (nodes[0], nodes[1]);
    }

    /// <summary>Can hold its node's loop until released, then records where each data message came from.</summary>
    private sealed class GatedHub : Algorithm
    {
        private readonly ManualResetEventSlim _gate = new(false);
        private readonly List<NodeId> _order = [];
        private bool _recording;

        public List<NodeId> Order
        {
            get
            {
                lock (_order)
                    return [.. _order];
            }
        }

        public void Weigh(NodeId upstream, int weight) => SetUpstreamWeight(upstream, weight);

        /// <summary>Blocks the loop (call it through InvokeAsync) until <see cref="Release"/>; records from then on.</summary>
        public void Hold()
        {
            _gate.Wait();
            _recording = true;
        }

        public void Release() => _gate.Set();

        public override Disposition Process(Message message)
        {
            if (message.Type != MessageTypes.Data)
                return base.Process(message);
            if (_recording)
            {
                lock (_order)
                    _order.Add(message.From);
            }

            return Disposition.Consumed;
        }

        protected override void OnStop() => _gate.Dispose();
    }

    /// <summary>Counts data messages per upstream and checks each upstream's arrive in order.</summary>
    private sealed class CountingHub : Algorithm
    {
        private readonly Dictionary<NodeId, long> _counts = [];
        private readonly Dictionary<NodeId, int> _lastSequence = [];
        private volatile bool _outOfOrder;

        public bool InOrder => !_outOfOrder;

        public long From(NodeId upstream)
        {
            lock (_counts)
                return _counts.GetValueOrDefault(upstream);
        }

        public override Disposition Process(Message message)
        {
            if (message.Type != MessageTypes.Data)
                return base.Process(message);
            if (_lastSequence.TryGetValue(message.From, out var last) && message.SequenceNumber != last + 1)
                _outOfOrder = true;
            _lastSequence[message.From] = message.SequenceNumber;
            lock (_counts)
                _counts[message.From] = _counts.GetValueOrDefault(message.From) + 1;
            return Disposition.Consumed;
        }
    }
}
