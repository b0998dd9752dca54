using NUnit.Framework;
using Overlay.Algorithms.Services;

namespace Overlay.Algorithms.Tests.Services;

/// <summary>
/// A hand-built eight-node service overlay with known emulated bandwidths: services 1 → 2 → 3 → 4, two instances of each
/// after the source and one node without a service that relays announcements. The bandwidths are chosen so that the
/// widest first hop leads into a narrow second hop: sFlow's look-ahead must avoid it, fixed must not.
/// </summary>
[Category("Integration")]
public class HandBuiltOverlayTests
{
    private const int Source = 0;
    private const int Relay = 7;

    // Node → service. Nodes 1, 2 host 2; 3, 4 host 3; 5, 6 host 4.
    private static readonly int[] Services = [1, 2, 2, 3, 3, 4, 4, 0];

    // Emulated bandwidth of each producer → consumer link, bytes/s.
    private static readonly Dictionary<(int From, int To), double> Links = new()
    {
        [(0, 1)] = 400_000, [(0, 2)] = 200_000,
        [(1, 3)] = 50_000, [(1, 4)] = 90_000,
        [(2, 3)] = 300_000, [(2, 4)] = 100_000,
        [(3, 5)] = 250_000, [(3, 6)] = 120_000,
        [(4, 5)] = 110_000, [(4, 6)] = 350_000,
    };

    private static readonly ServiceRequirement Chain = ServiceRequirement.Chain(1, 2, 3, 4);

    private ServiceOverlay _overlay = null!;

    [OneTimeSetUp]
    public async Task BuildAsync()
    {
        var catalogue = ServiceCatalogue.FromEdges([(1, 2), (2, 3), (3, 4)]);
        _overlay = new ServiceOverlay();
        // Measured again every few seconds, so a probe train that a stall of the machine misread is soon corrected
        // (see RankingsAgreeAsync).
        await _overlay.AddNodesAsync(Services.Length, i =>
        {
            var options = ServiceOverlay.FastOptions(catalogue, seed: 100 + i);
            options.MeasurementInterval = TimeSpan.FromSeconds(2);
            return options;
        });

        // Every node knows the relay and its two ring neighbours; the relay knows everyone.
        for (var i = 0; i < Relay; i++)
            _overlay.Introduce(i, [Relay, (i + 1) % Relay, (i + Relay - 1) % Relay]);
        _overlay.Introduce(Relay, Enumerable.Range(0, Relay));
        foreach (var ((from, to), rate) in Links)
            _overlay.SetLink(from, to, rate);
        for (var i = Services.Length - 1; i >= 0; i--)
        {
            if (Services[i] != 0)
                await _overlay.AssignAsync(i, Services[i]);
        }

        foreach (var group in Links.Keys.GroupBy(l => l.From))
            Assert.That(await _overlay.MeasuredAsync(group.Key, group.Select(l => l.To), TimeSpan.FromSeconds(25)), Is.True, $"node {group.Key} measured its downstream instances");

        // Reach reports follow the measurements within a few housekeeping rounds.
        await Task.Delay(1000);
        foreach (var (node, algorithm) in _overlay.Nodes.Zip(_overlay.Algorithms))
            TestContext.Progress.WriteLine($"{_overlay.IndexOf(node.Id)} (service {algorithm.HostedService}): knows {algorithm.KnownServices.Count}, measured " +
                string.Join(", ", algorithm.MeasuredBandwidths.Select(p => $"{_overlay.IndexOf(p.Key)}={p.Value / 1000:F0}K")));
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _overlay.StopAllAsync();
        Assert.That(_overlay.Pool.Outstanding, Is.Zero);
        await _overlay.DisposeAsync();
    }

    [Test, CancelAfter(30_000)]
    public async Task SFlow_HandBuiltEightNodes_PicksTheWidestPathTheTestComputes()
    {
        var best = WidestPath();
        var report = await RunAsync(10, FederationStrategy.SFlow);
        Assert.That(Indices(report), Is.EqualTo(best), $"widest path {string.Join("-", best)} has bottleneck {Bottleneck(best) / 1000} KB/s");
    }

    [Test, CancelAfter(30_000)]
    public async Task Fixed_HandBuiltEightNodes_TakesTheWidestNextHopEachTime()
    {
        var expected = new List<int> { Source };
        while (Services[expected[^1]] != 4)
            expected.Add(Links.Where(l => l.Key.From == expected[^1]).MaxBy(l => l.Value).Key.To);
        var report = await RunAsync(11, FederationStrategy.Fixed);
        Assert.That(Indices(report), Is.EqualTo(expected));
        Assert.That(Bottleneck(expected), Is.LessThan(Bottleneck(WidestPath())), "the case must separate fixed from sFlow");
    }

    [Test, CancelAfter(30_000)]
    public async Task Random_HandBuiltEightNodes_PicksValidInstancesAndVariesWithTheDraw()
    {
        var paths = new HashSet<string>();
        for (var application = 20; application < 26; application++)
        {
            var path = Indices(await RunAsync(application, FederationStrategy.Random));
            Assert.That(path.Select(i => Services[i]), Is.EqualTo(Chain.Services), "each chosen node hosts the required service");
            for (var hop = 1; hop < path.Count; hop++)
                Assert.That(Links.ContainsKey((path[hop - 1], path[hop])), Is.True);
            paths.Add(string.Join("-", path));
        }

        Assert.That(paths, Has.Count.GreaterThan(1), "six random federations all took the same path");
    }

    [Test, CancelAfter(30_000)]
    public async Task SFlow_HandBuiltEightNodes_DataFlowsThroughEveryServiceAndTheSinkReportsToTheSource()
    {
        await _overlay.Nodes[Source].InvokeAsync(() => _overlay.Algorithms[Source].Federate(30, Chain, FederationStrategy.SFlow));
        var source = _overlay.Algorithms[Source];
        Assert.That(await Eventually.TrueAsync(() => source.GetReport(30)?.MessagesDelivered > 20, TimeSpan.FromSeconds(20)), Is.True, "the sink's reports reach the source");
        var report = source.GetReport(30)!;
        TestContext.Progress.WriteLine($"sFlow session: delay {report.EndToEndDelay?.TotalMilliseconds:F1} ms, last hop {report.LastHopThroughput / 1000:F1} KB/s, average {report.AverageThroughput / 1000:F1} KB/s, federated in {report.FederationTime?.TotalMilliseconds:F0} ms");
        Assert.That(report.State, Is.EqualTo(FederationState.Deployed));
        Assert.That(report.ServicesApplied, Is.EqualTo(Chain.Count), "every chosen service transformed the data");
        Assert.That(report.EndToEndDelay, Is.Not.Null.And.GreaterThan(TimeSpan.Zero));
        Assert.That(report.AverageThroughput, Is.GreaterThan(0).And.LessThan(Bottleneck(Indices(report)) * 1.5), "the stream runs at most at the path's emulated bottleneck");
        await _overlay.EndAsync(Source, 30);
        Assert.That(source.GetReport(30)?.State, Is.EqualTo(FederationState.Ended));
    }

    private async Task<FederationReport> RunAsync(int application, FederationStrategy strategy)
    {
        Assert.That(await _overlay.RankingsAgreeAsync(Links, TimeSpan.FromSeconds(60)), Is.True, "every node ranks its downstream instances as emulated");
        var report = await _overlay.FederateAsync(Source, application, Chain, strategy, TimeSpan.FromSeconds(15));
        Assert.That(report?.State, Is.EqualTo(FederationState.Deployed), $"{strategy} federation {application}");
        await _overlay.EndAsync(Source, application);
        return report!;
    }

    private List<int> Indices(FederationReport report) => report.ChosenNodes.Select(_overlay.IndexOf).ToList();

    private static double Bottleneck(IReadOnlyList<int> path) =>
        Enumerable.Range(1, path.Count - 1).Min(hop => Links[(path[hop - 1], path[hop])]);

    // Every source → sink path through the links, widest bottleneck first.
    private static List<int> WidestPath()
    {
        var paths = new List<List<int>> { new() { Source } };
        for (var step = 1; step < Chain.Count; step++)
            paths = paths.SelectMany(p => Links.Keys.Where(l => l.From == p[^1]).Select(l => new List<int>(p) { l.To })).ToList();
        return paths.MaxBy(Bottleneck)!;
    }
}
