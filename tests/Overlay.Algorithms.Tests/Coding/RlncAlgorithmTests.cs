using NUnit.Framework;
using Overlay.Algorithms.Coding;

namespace Overlay.Algorithms.Tests.Coding;

/// <summary>Random linear network coding over the engine, on the seven-node butterfly with every relay recoding.</summary>
[Category("Integration")]
public class RlncAlgorithmTests
{
    private const int GenerationSize = 8;
    private const int PayloadLength = 1024;

    [Test, CancelAfter(60_000)]
    public async Task Butterfly_RelaysRecode_ReceiversDecodeEveryGenerationExactly()
    {
        await using var overlay = new TestOverlay();
        var (net, sinks) = await StartAsync(overlay);

        var decodedEnough = await Eventually.TrueAsync(() => sinks.Keys.All(n => net.Algorithms[n].GenerationsDecoded >= 200), TimeSpan.FromSeconds(30));
        TestContext.Out.WriteLine("link KB/s: " + LinkRates.Format(await net.MeasureAsync(TimeSpan.FromSeconds(1))));
        TestContext.Out.WriteLine(Progress(net));
        await overlay.StopAllAsync();

        Assert.Multiple(() =>
        {
            Assert.That(decodedEnough, Is.True, Progress(net));
            foreach (var (name, sink) in sinks)
            {
                var sequences = sink.Sequences;
                Assert.That(sequences, Is.EqualTo(Enumerable.Range(0, sequences.Count)), $"{name} decodes every generation, in order");
                Assert.That(sequences.Count % GenerationSize, Is.Zero, $"{name} delivers whole generations");
                Assert.That(sink.Corrupt, Is.Zero, $"{name} payloads equal the source's");
                Assert.That(net.Algorithms[name].MalformedPackets, Is.Zero, name);
            }

            // D hears full rank from both B and C: at least half of what it gets carries nothing new.
            Assert.That(net.Algorithms["D"].RedundantPackets, Is.GreaterThan(net.Algorithms["D"].InnovativePackets / 2));
            Assert.That(overlay.Pool.Outstanding, Is.Zero);
        });
    }

    [Test, CancelAfter(60_000)]
    public async Task Butterfly_NodeBKilledMidStream_FAndGKeepDecoding()
    {
        await using var overlay = new TestOverlay();
        var (net, sinks) = await StartAsync(overlay);
        Assert.That(
            await Eventually.TrueAsync(() => sinks.Keys.All(n => net.Algorithms[n].GenerationsDecoded >= 50), TimeSpan.FromSeconds(30)),
            Is.True,
            Progress(net));

        // B carried half of A's packets and F's direct path: F now hears only E, D only C.
        await net["B"].TerminateAsync();
        var atKill = sinks.Keys.ToDictionary(n => n, n => net.Algorithms[n].LastDecodedGeneration);
        var keptDecoding = await Eventually.TrueAsync(
            () => sinks.Keys.All(n => net.Algorithms[n].LastDecodedGeneration >= atKill[n] + 100), TimeSpan.FromSeconds(30));
        await overlay.StopAllAsync();

        Assert.Multiple(() =>
        {
            Assert.That(keptDecoding, Is.True, $"at the kill {string.Join(", ", atKill)}; now {Progress(net)}");
            foreach (var (name, sink) in sinks)
            {
                var generations = sink.Sequences.Select(s => s / GenerationSize).Distinct().ToList();
                var missing = Enumerable.Range(0, generations.Max() + 1).Except(generations).ToList();
                TestContext.Out.WriteLine($"{name}: {generations.Count} generations decoded, missing [{string.Join(", ", missing)}]");
                Assert.That(sink.Corrupt, Is.Zero, $"{name} payloads equal the source's");
                Assert.That(generations.Count(g => g > atKill[name]), Is.GreaterThanOrEqualTo(100), $"{name} decodes after the kill");

                // C alone gives D (and so E) full rank of every generation, so not even the one in flight is lost.
                Assert.That(missing, Is.Empty, $"{name} generations missing");
            }

            Assert.That(overlay.Pool.Outstanding, Is.Zero);
        });
    }

    private static async Task<(SevenNodeNetwork<RlncAlgorithm> Net, Dictionary<string, StreamSink> Sinks)> StartAsync(TestOverlay overlay)
    {
        // Each node draws its own coefficients: nodes sharing a seed would send correlated combinations.
        var net = await SevenNodeTopology.StartAsync(
            overlay,
            name => new RlncAlgorithm(
                name switch { "A" => RlncRole.Source, "F" or "G" => RlncRole.Receiver, _ => RlncRole.Relay },
                new RlncOptions { GenerationSize = GenerationSize, Seed = 42 + name[0] }),
            (algorithm, downstream) => algorithm.Downstreams.Add(downstream),
            (name, o) =>
            {
                // A bounded source keeps the coding work small on a shared machine; the property under test is
                // correctness, not speed.
                o.SocketBufferSize = null;
                if (name == "A")
                    o.TotalBandwidth = 1_000_000;
            });
        var sinks = new Dictionary<string, StreamSink> { ["F"] = new(), ["G"] = new() };
        foreach (var (name, sink) in sinks)
            net.Algorithms[name].Consumer = sink.Accept;
        await net["A"].DeploySourceAsync(1, new SourceOptions { PayloadLength = PayloadLength });
        return (net, sinks);
    }

    private static string Progress(SevenNodeNetwork<RlncAlgorithm> net) =>
        string.Join(", ", net.Algorithms.Select(a => $"{a.Key}: decoded {a.Value.GenerationsDecoded}, innovative {a.Value.InnovativePackets}, redundant {a.Value.RedundantPackets}, sent {a.Value.SentPackets}, dropped {a.Value.GenerationsDropped}"));
}
