using NUnit.Framework;

namespace Overlay.Core.Tests.Engine;

[Category("Integration")]
public class HoldTests
{
    [Test, CancelAfter(60_000)]
    public async Task Merge_TwoUpstreams_GetsExactlyThePairs_AndLeaksNothing()
    {
        const int Count = 2000;
        await using var overlay = new TestOverlay();
        var sink = new PairSink();
        var sinkNode = await overlay.AddAsync(sink);
        var merger = new PairMerger();
        var mergerNode = await overlay.AddAsync(merger);
        merger.Downstream = sinkNode.Id;
        for (var app = 1; app <= 2; app++)
        {
            var source = new RelayAlgorithm();
            var node = await overlay.AddAsync(source);
            source.Children.Add(mergerNode.Id);
            await node.DeploySourceAsync(app, new SourceOptions { PayloadLength = 1000, MessageLimit = Count });
        }

        Assert.That(await Eventually.TrueAsync(() => sink.Pairs.Count >= Count, TimeSpan.FromSeconds(45)), Is.True, $"{sink.Pairs.Count} pairs");
        await Task.Delay(200);
        Assert.That(sink.Pairs, Is.EqualTo(Enumerable.Range(0, Count).Select(i => (i, i))));
        Assert.That(sink.BadPayloads, Is.Zero);
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
        Assert.That(overlay.Pool.DoubleReleases, Is.Zero);
    }

    /// <summary>Holds one message per upstream, then sends one message carrying both payloads and releases the pair.</summary>
    private sealed class PairMerger : Algorithm
    {
        private readonly Dictionary<NodeId, Queue<Message>> _held = [];

        public NodeId Downstream { get; set; }

        public override Disposition Process(Message message)
        {
            if (message.Type != MessageTypes.Data)
                return base.Process(message);
            if (!_held.TryGetValue(message.From, out var queue))
                _held[message.From] = queue = new Queue<Message>();
            queue.Enqueue(message);
            if (_held.Count == 2 && _held.Values.All(q => q.Count > 0))
            {
                var pair = _held.Values.Select(q => q.Dequeue()).OrderBy(m => m.ApplicationId).ToArray();
                var merged = CreateMessage(MessageTypes.AlgorithmStart, 0, pair[0].PayloadLength + pair[1].PayloadLength + 8);
                BitConverter.TryWriteBytes(merged.Payload, pair[0].SequenceNumber);
                BitConverter.TryWriteBytes(merged.Payload[4..], pair[1].SequenceNumber);
                pair[0].Payload.CopyTo(merged.Payload[8..]);
                pair[1].Payload.CopyTo(merged.Payload[(8 + pair[0].PayloadLength)..]);
                Send(merged, Downstream);
                foreach (var held in pair)
                    held.Release();
            }

            return Disposition.Hold;
        }

        protected override void OnStop()
        {
            foreach (var queue in _held.Values)
            {
                while (queue.TryDequeue(out var held))
                    held.Release();
            }
        }
    }

    private sealed class PairSink : Algorithm
    {
        private readonly List<(int, int)> _pairs = [];

        public int BadPayloads { get; private set; }

        public IReadOnlyList<(int, int)> Pairs
        {
            get
            {
                lock (_pairs)
                    return [.. _pairs];
            }
        }

        public override Disposition Process(Message message)
        {
            if (message.Type != MessageTypes.AlgorithmStart)
                return base.Process(message);
            var first = BitConverter.ToInt32(message.Payload);
            var second = BitConverter.ToInt32(message.Payload[4..]);
            if (!PayloadMatches(message.Payload[8..1008], 1, first) || !PayloadMatches(message.Payload[1008..], 2, second))
                BadPayloads++;
            lock (_pairs)
                _pairs.Add((first, second));
            return Disposition.Consumed;
        }

        private static bool PayloadMatches(Span<byte> payload, int application, int sequence)
        {
            var pool = new Overlay.Buffers.MessagePool();
            var expected = pool.Rent(payload.Length);
            expected.ApplicationId = application;
            expected.SequenceNumber = sequence;
            SourceOptions.FillPattern(expected);
            var same = payload.SequenceEqual(expected.Payload);
            expected.Release();
            return same;
        }
    }
}
