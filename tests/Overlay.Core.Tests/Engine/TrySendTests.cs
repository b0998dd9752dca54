using NUnit.Framework;
using Overlay.Core.Tests.Support;

namespace Overlay.Core.Tests.Engine;

/// <summary>
/// Room to send: <c>TrySend</c> refuses a full link without stalling the node, <c>OnWritable</c> says when it has room
/// again, and a refused message stays with whoever owned it.
/// </summary>
[Category("Integration")]
public class TrySendTests
{
    private const int PayloadLength = 1000;

    [Test, CancelAfter(120_000)]
    public async Task TrySend_ToAFullSlowLink_IsRefused_WhileTheOtherLinkKeepsFlowing_AndOnWritableFiresOncePerRefusal()
    {
        await using var overlay = new TestOverlay();
        static void Small(OverlayNodeOptions o) => o.SocketBufferSize = 16 * 1024;
        var root = new DropForSlowChildren();
        var r = await overlay.AddAsync(root, Small);
        var fast = await overlay.AddAsync(new RelayAlgorithm(), Small);
        var slow = await overlay.AddAsync(new RelayAlgorithm(), o =>
        {
            Small(o);
            o.DownloadBandwidth = 10_000; // about ten messages a second
        });
        root.Children.AddRange([fast.Id, slow.Id]);
        await r.DeploySourceAsync(1, new SourceOptions { PayloadLength = PayloadLength });

        Assert.That(await Eventually.TrueAsync(() => root.Refused(slow.Id) > 0, TimeSpan.FromSeconds(30)), Is.True, "the slow link filled up");
        var fastBefore = root.Accepted(fast.Id);
        var refusedBefore = root.Refused(slow.Id);

        // A send that stalled the input would hold the source to the slow link's ten messages a second: 3,000 more to
        // the fast child in the time-out is only possible while the full link costs the node nothing.
        Assert.That(
            await Eventually.TrueAsync(() => root.Accepted(fast.Id) >= fastBefore + 3000 && Counters.Received(fast, r) > 3000L * PayloadLength, TimeSpan.FromSeconds(60)),
            Is.True,
            $"the fast link kept flowing: {root.Accepted(fast.Id) - fastBefore} more accepted");
        Assert.That(root.Refused(slow.Id), Is.GreaterThan(refusedBefore), "the slow link was still full and refused meanwhile");
        Assert.That(root.Refused(fast.Id) + root.Accepted(fast.Id), Is.GreaterThan(root.Accepted(slow.Id) * 10), "the slow child got only what fits");

        // The slow link took more after refusing: room came back, and each time the algorithm was told, once.
        Assert.That(await Eventually.TrueAsync(() => root.Writable(slow.Id) >= 3, TimeSpan.FromSeconds(30)), Is.True, "OnWritable fired as room came back");
        Assert.That(root.Spurious, Is.Zero, "OnWritable without a refusal since the last one, or with the link still full");
        Assert.That(root.Writable(slow.Id), Is.LessThanOrEqualTo(root.Refused(slow.Id)));
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero, "refused messages stayed the engine's and went back to the pool");
    }

    [Test, CancelAfter(120_000)]
    public async Task DropForASlowChild_KeepsTheFastChildAtItsFullRate_WhileTheSlowChildGetsWhatFits()
    {
        const double FastRate = 200_000, SlowRate = 40_000, Tolerance = 0.15;
        await using var overlay = new TestOverlay();
        static void Small(OverlayNodeOptions o) => o.SocketBufferSize = 16 * 1024;
        var root = new DropForSlowChildren();
        var r = await overlay.AddAsync(root, Small);
        var fast = await overlay.AddAsync(new RelayAlgorithm(), o =>
        {
            Small(o);
            o.DownloadBandwidth = FastRate;
        });
        var slow = await overlay.AddAsync(new RelayAlgorithm(), o =>
        {
            Small(o);
            o.DownloadBandwidth = SlowRate;
        });
        root.Children.AddRange([fast.Id, slow.Id]);
        await r.DeploySourceAsync(1, new SourceOptions { PayloadLength = 5 * 1024 });

        // With Send both children would get the slow one's rate (the source stalls on the full link).
        var expected = new Dictionary<string, double> { ["fast"] = FastRate, ["slow"] = SlowRate };
        var rates = await LinkRates.ConvergeAsync(
            expected,
            Tolerance,
            TimeSpan.FromSeconds(40),
            () => LinkRates.MeasureAsync(
                new Dictionary<string, Func<long>> { ["fast"] = () => Counters.Received(fast, r), ["slow"] = () => Counters.Received(slow, r) },
                TimeSpan.FromSeconds(3)));
        TestContext.Out.WriteLine($"KB/s: {LinkRates.Format(rates)}; refused for the slow child: {root.Refused(slow.Id)}");
        Assert.That(rates["fast"], Is.EqualTo(FastRate).Within(Tolerance * 100).Percent, "the fast child at full rate");
        Assert.That(rates["slow"], Is.EqualTo(SlowRate).Within(Tolerance * 100).Percent, "the slow child got what fits");
        Assert.That(root.Refused(slow.Id), Is.GreaterThan(0));
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(120_000)]
    public async Task RefusedMessage_StaysWithItsHolder_WhoSendsItOnWritable_NothingLostOrLeaked()
    {
        const int Messages = 300;
        await using var overlay = new TestOverlay();
        static void Small(OverlayNodeOptions o) => o.SocketBufferSize = 16 * 1024;
        var root = new QueueForSlowChild();
        var r = await overlay.AddAsync(root, Small);
        var sink = new OrderedSink();
        var child = await overlay.AddAsync(sink, o =>
        {
            Small(o);
            o.DownloadBandwidth = 50_000;
        });
        root.Child = child.Id;
        await r.DeploySourceAsync(1, new SourceOptions { PayloadLength = PayloadLength, MessageLimit = Messages });

        Assert.That(await Eventually.TrueAsync(() => sink.Received == Messages, TimeSpan.FromSeconds(60)), Is.True, $"received {sink.Received} of {Messages}");
        Assert.That(sink.InOrder, Is.True, "every message arrived once, in order");
        Assert.That(root.Refusals, Is.GreaterThan(0), "the link was full at times");
        Assert.That(root.WritableCalls, Is.GreaterThan(0), "the held messages went out on OnWritable");
        Assert.That(r.GetStatistics().MessagesLost, Is.Zero);
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero, "each held message was released once by its holder, none by the engine on refusal");
    }

    [Test, CancelAfter(60_000)]
    public async Task TrySend_ToAPeerStillConnecting_FillsItsNewBuffer_ThenIsRefused_AndALinkThatNeverOpensLosesThem()
    {
        await using var overlay = new TestOverlay();
        var probe = new SendProbe();
        var a = await overlay.AddAsync(probe, o =>
        {
            o.BufferCapacity = 4;
            o.ConnectRetries = 0;
        });
        var nobody = new NodeId(0x7F000001, 1); // nothing listens on port 1

        var results = new List<bool>();
        var canBefore = false;
        var canAfter = true;
        await a.InvokeAsync(() =>
        {
            canBefore = probe.CanSendTo(nobody);
            for (var i = 0; i < 6; i++)
                results.Add(probe.TrySendNew(nobody));
            canAfter = probe.CanSendTo(nobody);
        });
        Assert.That(canBefore, Is.True, "a peer without a link has room (its new buffer is empty)");
        Assert.That(results, Is.EqualTo(new[] { true, true, true, true, false, false }), "the connecting link's buffer takes its capacity, then refuses");
        Assert.That(canAfter, Is.False);
        Assert.That(await Eventually.TrueAsync(() => probe.SendFailed, TimeSpan.FromSeconds(30)), Is.True);
        Assert.That(a.GetStatistics().MessagesLost, Is.EqualTo(4), "the four buffered ones are lost with the link");
        Assert.That(probe.WritableCalls, Is.Zero, "a link that failed is never writable");

        var toSelf = false;
        await a.InvokeAsync(() => toSelf = probe.TrySendNew(a.Id));
        Assert.That(toSelf, Is.True, "a send to the node itself always has room");
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    /// <summary>Sends each source message to every child that has room, drops it for the others, and checks OnWritable.</summary>
    private sealed class DropForSlowChildren : Algorithm
    {
        private readonly Dictionary<NodeId, long> _accepted = [];
        private readonly Dictionary<NodeId, long> _refused = [];
        private readonly Dictionary<NodeId, long> _writable = [];
        private readonly HashSet<NodeId> _full = [];
        private long _spurious;

        public List<NodeId> Children { get; } = [];

        public long Spurious => Interlocked.Read(ref _spurious);

        public long Accepted(NodeId child) => Read(_accepted, child);

        public long Refused(NodeId child) => Read(_refused, child);

        public long Writable(NodeId child) => Read(_writable, child);

        public override Disposition Process(Message message)
        {
            if (message.Type != MessageTypes.Data)
                return base.Process(message);
            foreach (var child in Children)
            {
                if (TrySend(message, child))
                {
                    Add(_accepted, child);
                }
                else
                {
                    Add(_refused, child);
                    _full.Add(child);
                }
            }

            return Disposition.Consumed;
        }

        protected override void OnWritable(NodeId peer)
        {
            // Once per refusal episode, and only with room.
            if (!_full.Remove(peer) || !CanSend(peer))
                Interlocked.Increment(ref _spurious);
            Add(_writable, peer);
        }

        private static long Read(Dictionary<NodeId, long> counts, NodeId peer)
        {
            lock (counts)
                return counts.GetValueOrDefault(peer);
        }

        private static void Add(Dictionary<NodeId, long> counts, NodeId peer)
        {
            lock (counts)
                counts[peer] = counts.GetValueOrDefault(peer) + 1;
        }
    }

    /// <summary>Keeps what the child's link refuses (Hold), in order, and sends it when the link has room again.</summary>
    private sealed class QueueForSlowChild : Algorithm
    {
        private readonly Queue<Message> _queue = new();
        private long _refusals;
        private long _writableCalls;

        public NodeId Child { get; set; }

        public long Refusals => Interlocked.Read(ref _refusals);

        public long WritableCalls => Interlocked.Read(ref _writableCalls);

        public override Disposition Process(Message message)
        {
            if (message.Type != MessageTypes.Data)
                return base.Process(message);
            if (_queue.Count == 0 && TrySend(message, Child))
                return Disposition.Consumed;
            Interlocked.Increment(ref _refusals);
            _queue.Enqueue(message);
            return Disposition.Hold; // refused: still ours, released once it went out
        }

        protected override void OnWritable(NodeId peer)
        {
            Interlocked.Increment(ref _writableCalls);
            while (_queue.TryPeek(out var head) && TrySend(head, Child))
                _queue.Dequeue().Release();
        }

        protected override void OnStop()
        {
            while (_queue.TryDequeue(out var held))
                held.Release();
        }
    }

    /// <summary>Counts data messages and checks they come in sequence.</summary>
    private sealed class OrderedSink : Algorithm
    {
        private int _received;
        private volatile bool _outOfOrder;

        public int Received => Volatile.Read(ref _received);

        public bool InOrder => !_outOfOrder;

        public override Disposition Process(Message message)
        {
            if (message.Type != MessageTypes.Data)
                return base.Process(message);
            if (message.SequenceNumber != _received)
                _outOfOrder = true;
            Interlocked.Increment(ref _received);
            return Disposition.Consumed;
        }
    }

    /// <summary>Exposes TrySend and CanSend to a test's InvokeAsync.</summary>
    private sealed class SendProbe : Algorithm
    {
        private volatile bool _sendFailed;
        private int _writableCalls;

        public bool SendFailed => _sendFailed;

        public int WritableCalls => Volatile.Read(ref _writableCalls);

        public bool CanSendTo(NodeId peer) => CanSend(peer);

        public bool TrySendNew(NodeId peer) => TrySend(CreateMessage(MessageTypes.Data, 1, 100), peer);

        protected override void OnSendFailed(NodeId peer)
        {
            _sendFailed = true;
            base.OnSendFailed(peer);
        }

        protected override void OnWritable(NodeId peer) => Interlocked.Increment(ref _writableCalls);
    }
}
