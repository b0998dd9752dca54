using NUnit.Framework;
using Overlay.Algorithms.Coding;

namespace Overlay.Algorithms.Tests.Coding;

/// <summary>The paper's network-coding case study (section 3.2, Fig. 8) on the seven-node butterfly.</summary>
[Category("Integration")]
public class ButterflyCodingTests
{
    private const double Tolerance = 0.15;
    private const int KB = 1000;
    private const int PayloadLength = 5 * 1024;

    [Test, CancelAfter(60_000)]
    public async Task Fig8b_Coding_DFAndGReceive400_AndDecodeEveryMessageInOrder()
    {
        await using var overlay = new TestOverlay();
        var net = await StartAsync(overlay, coding: true, dBufferCapacity: 10);
        var sinks = new Dictionary<string, StreamSink> { ["F"] = new(), ["G"] = new() };
        foreach (var (name, sink) in sinks)
            net.Algorithms[name].Consumer = sink.Accept;
        await net["A"].DeploySourceAsync(1, new SourceOptions { PayloadLength = PayloadLength });

        var expected = Expect(("D", 400), ("F", 400), ("G", 400));
        var rates = await ConvergeAsync(net, expected);
        TestContext.Out.WriteLine("Fig. 8(b) received KB/s: " + LinkRates.Format(rates));
        AssertRates(rates, expected);
        await overlay.StopAllAsync();

        Assert.Multiple(() =>
        {
            foreach (var (name, sink) in sinks)
            {
                var decoder = net.Algorithms[name];
                var sequences = sink.Sequences;
                Assert.That(sequences, Has.Count.GreaterThan(200), name);
                Assert.That(sequences, Is.EqualTo(Enumerable.Range(0, sequences.Count)), $"{name} delivers every message in order");
                Assert.That(sink.Corrupt, Is.Zero, $"{name} payloads equal the source's");
                Assert.That(decoder.DecodedMessages, Is.GreaterThanOrEqualTo(sequences.Count / 2 - 1), $"{name} decoded half the stream");
                Assert.That(decoder.MissingMessages, Is.Zero, name);
                Assert.That(decoder.MalformedMessages, Is.Zero, name);
            }

            Assert.That(net.Algorithms["D"].CodedMessages, Is.GreaterThan(100));
            Assert.That(overlay.Pool.Outstanding, Is.Zero);
        });
    }

    [Test, CancelAfter(60_000)]
    public async Task Fig8a_NoCoding_DEFAndGReceive400_200_300_300()
    {
        await using var overlay = new TestOverlay();

        // D receives 400 KB/s and may send only 200: like the paper's run, its buffer toward E is large enough
        // that it does not push back on A during the measurement, so the figure shows the link rates, not D's queue.
        var net = await StartAsync(overlay, coding: false, dBufferCapacity: 10_000);
        var sinks = new Dictionary<string, StreamSink> { ["F"] = new(), ["G"] = new() };
        foreach (var (name, sink) in sinks)
            net.Algorithms[name].Consumer = sink.Accept;
        await net["A"].DeploySourceAsync(1, new SourceOptions { PayloadLength = PayloadLength });

        var expected = Expect(("D", 400), ("E", 200), ("F", 300), ("G", 300));
        var rates = await ConvergeAsync(net, expected);
        TestContext.Out.WriteLine("Fig. 8(a) received KB/s: " + LinkRates.Format(rates));
        AssertRates(rates, expected);
        await overlay.StopAllAsync();

        Assert.Multiple(() =>
        {
            foreach (var (name, sink) in sinks)
            {
                Assert.That(sink.Corrupt, Is.Zero, name);
                Assert.That(sink.Sequences, Is.Unique, $"{name} counts each message once");
                Assert.That(net.Algorithms[name].DecodedMessages, Is.Zero, name);
            }

            Assert.That(net.Algorithms["D"].CodedMessages, Is.Zero);
            Assert.That(overlay.Pool.Outstanding, Is.Zero);
        });
    }

    private static Task<SevenNodeNetwork<ButterflyCodingAlgorithm>> StartAsync(TestOverlay overlay, bool coding, int dBufferCapacity) =>
        SevenNodeTopology.StartAsync(
            overlay,
            name => new ButterflyCodingAlgorithm(RoleOf(name), coding),
            (algorithm, downstream) => algorithm.Downstreams.Add(downstream),
            (name, o) =>
            {
                o.BufferCapacity = name == "D" ? dBufferCapacity : 10;
                if (name == "A")
                    o.TotalBandwidth = 400 * KB;
                if (name == "D")
                    o.UploadBandwidth = 200 * KB;
            });

    private static ButterflyRole RoleOf(string name) => name switch
    {
        "A" => ButterflyRole.Source,
        "D" => ButterflyRole.Coder,
        "F" or "G" => ButterflyRole.Decoder,
        _ => ButterflyRole.Relay,
    };

    // Received throughput per node: distinct stream bytes obtained, directly or by decoding; warm up first so the
    // token buckets and buffers settle.
    private static async Task<Dictionary<string, double>> ConvergeAsync(SevenNodeNetwork<ButterflyCodingAlgorithm> net, Dictionary<string, double> expected)
    {
        await Task.Delay(TimeSpan.FromSeconds(2));
        var counters = SevenNodeTopology.Names.Where(n => n != "A")
            .ToDictionary(n => n, n => (Func<long>)(() => net.Algorithms[n].ReceivedBytes));
        return await LinkRates.ConvergeAsync(expected, Tolerance, TimeSpan.FromSeconds(12), () => LinkRates.MeasureAsync(counters, TimeSpan.FromSeconds(3)));
    }

    private static Dictionary<string, double> Expect(params (string Node, double KBps)[] rates) =>
        rates.ToDictionary(r => r.Node, r => r.KBps * KB);

    private static void AssertRates(Dictionary<string, double> measured, Dictionary<string, double> expected)
    {
        Assert.Multiple(() =>
        {
            foreach (var (node, rate) in expected)
                Assert.That(measured[node], Is.EqualTo(rate).Within(Tolerance * 100).Percent, node);
        });
    }
}
