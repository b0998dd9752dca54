using NUnit.Framework;
using FsProperty = FsCheck.NUnit.PropertyAttribute;

namespace Overlay.Core.Tests.Failures;

[Category("Integration")]
public class TerminationTests
{
    private const int KB = 1000;

    // The paper's Fig. 6(c) and 6(d): with D's upload at 30 KB/s and buffers of 5, terminate B, then G.
    [Test, CancelAfter(150_000)]
    public async Task Fig6cd_TerminateB_ThenG_TheRestKeepsFlowing()
    {
        await using var overlay = new TestOverlay();
        var net = await SevenNodeTopology.StartAsync(overlay, bufferCapacity: 5, (name, o) =>
        {
            if (name == "A")
                o.TotalBandwidth = 400 * KB;
            if (name == "D")
                o.UploadBandwidth = 30 * KB;
        });
        await net["A"].DeploySourceAsync(1, new SourceOptions { PayloadLength = 5 * 1024 });
        var expectedB = Expect(("DE", 30), ("BD", 15), ("CD", 15));
        var before = await net.ConvergeAsync(expectedB, 0.2, TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(45));
        TestContext.Out.WriteLine("6(b) KB/s: " + LinkRates.Format(before));
        AssertWithin(before, expectedB, 0.2); // the starting point of 6(c): D's 30 KB/s shared by its two upstreams

        // Fig. 6(c): B goes; AB, BD, BF close; D has one upstream left, so CD carries all of D's 30 KB/s.
        await net["B"].TerminateAsync();
        var b = net["B"].Id;
        Assert.That(await Eventually.TrueAsync(
            () => net["A"].GetStatistics().Find(b, LinkDirection.Downstream) is null
                && net["D"].GetStatistics().Find(b, LinkDirection.Upstream) is null
                && net["F"].GetStatistics().Find(b, LinkDirection.Upstream) is null,
            TimeSpan.FromSeconds(10)), Is.True, "links AB, BD, BF are gone");
        var alive = net.Links.Where(l => l.Value.From != net["B"] && l.Value.To != net["B"]).ToDictionary(l => l.Key, l => l.Value);
        var expectedC = Expect(("CD", 30), ("DE", 30), ("EF", 30), ("EG", 30), ("AC", 30), ("CG", 30));
        var rates = await LinkRates.ConvergeAsync(expectedC, 0.2, TimeSpan.FromSeconds(40), () => LinkRates.MeasureAsync(alive, TimeSpan.FromSeconds(5)));
        TestContext.Out.WriteLine("6(c) KB/s: " + LinkRates.Format(rates));
        AssertWithin(rates, expectedC, 0.2);

        // Fig. 6(d): G goes too; F still receives from A via C, D and E.
        await net["G"].TerminateAsync();
        alive = alive.Where(l => l.Value.To != net["G"]).ToDictionary(l => l.Key, l => l.Value);
        var expectedD = Expect(("CD", 30), ("DE", 30), ("EF", 30));
        rates = await LinkRates.ConvergeAsync(expectedD, 0.2, TimeSpan.FromSeconds(40), () => LinkRates.MeasureAsync(alive, TimeSpan.FromSeconds(5)));
        TestContext.Out.WriteLine("6(d) KB/s: " + LinkRates.Format(rates));
        AssertWithin(rates, expectedD, 0.2);
        Assert.That(net.Algorithms["F"].Corrupt, Is.Zero);

        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    // Random DAGs, random nodes terminated at random moments: every survivor still reachable from the source keeps
    // receiving, and nothing leaks.
    [FsProperty(MaxTest = 8)]
    public bool RandomFaults_SurvivorsKeepDelivering_NothingLeaks(int seed) => RunFaultsAsync(seed).GetAwaiter().GetResult();

    private static async Task<bool> RunFaultsAsync(int seed)
    {
        var random = new Random(seed);
        var size = random.Next(4, 9);
        await using var overlay = new TestOverlay();
        var relays = new RelayAlgorithm[size];
        var nodes = new OverlayNode[size];
        for (var i = 0; i < size; i++)
            nodes[i] = await overlay.AddAsync(relays[i] = new RelayAlgorithm { Deduplicate = true }, o => o.BufferCapacity = 1 + random.Next(10));
        var edges = new List<(int From, int To)>();
        for (var from = 0; from < size; from++)
        {
            for (var to = from + 1; to < size; to++)
            {
                if (random.NextDouble() < 0.5)
                {
                    edges.Add((from, to));
                    relays[from].Children.Add(nodes[to].Id);
                }
            }
        }

        await nodes[0].DeploySourceAsync(1, new SourceOptions { PayloadLength = 1 + random.Next(4000) });
        var dead = new bool[size];
        var kills = 1 + random.Next(Math.Min(3, size - 1));
        for (var k = 0; k < kills; k++)
        {
            await Task.Delay(random.Next(50, 400));
            var victim = 1 + random.Next(size - 1);
            if (!dead[victim])
            {
                dead[victim] = true;
                await nodes[victim].TerminateAsync();
            }
        }

        // Which survivors can still be reached from the source through survivors?
        var reachable = new bool[size];
        reachable[0] = true;
        foreach (var (from, to) in edges)
            reachable[to] |= reachable[from] && !dead[to];

        // Wait until every survivor that received from a dead node has been told (the failures are detected), then
        // count: each reachable survivor must go on receiving (a number of new messages, waited for rather than timed).
        var told = await Eventually.TrueAsync(
            () => edges.All(e =>
                !dead[e.From] || dead[e.To] || relays[e.To].ArrivalsFrom(nodes[e.From].Id).Count == 0
                || relays[e.To].Failures.Any(f => f.Peer == nodes[e.From].Id && f.Type == MessageTypes.BrokenUpstream)),
            TimeSpan.FromSeconds(20));
        var ok = told;
        if (!told)
            TestContext.Out.WriteLine($"seed {seed}: a survivor was not told of a dead neighbour; edges {string.Join(' ', edges)}");
        var before = relays.Select(r => r.Delivered).ToArray();
        for (var i = 0; i < size; i++)
        {
            if (reachable[i] && !await Eventually.TrueAsync(() => relays[i].Delivered >= before[i] + 50, TimeSpan.FromSeconds(30)))
            {
                ok = false;
                TestContext.Out.WriteLine($"seed {seed}: node {i} stopped receiving; edges {string.Join(' ', edges)}, dead {string.Join(',', Enumerable.Range(0, size).Where(j => dead[j]))}");
            }

            ok &= relays[i].Corrupt == 0;
        }

        await overlay.StopAllAsync();
        if (overlay.Pool.Outstanding != 0)
            TestContext.Out.WriteLine($"seed {seed}: {overlay.Pool.Outstanding} messages leaked");
        return ok && overlay.Pool.Outstanding == 0 && overlay.Pool.DoubleReleases == 0;
    }

    private static Dictionary<string, double> Expect(params (string Link, double KBps)[] rates) =>
        rates.ToDictionary(r => r.Link, r => r.KBps * KB);

    private static void AssertWithin(Dictionary<string, double> measured, Dictionary<string, double> expected, double tolerance)
    {
        Assert.Multiple(() =>
        {
            foreach (var (link, rate) in expected)
                Assert.That(measured[link], Is.EqualTo(rate).Within(tolerance * 100).Percent, link);
        });
    }
}
