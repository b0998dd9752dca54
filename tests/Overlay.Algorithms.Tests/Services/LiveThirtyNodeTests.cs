using System.Diagnostics;
using NUnit.Framework;
using Overlay.Algorithms.Services;
using Overlay.Federation.Experiments;

namespace Overlay.Algorithms.Tests.Services;

/// <summary>
/// One live seeded 30-node service overlay (the scenario of the simulated comparison, seed 1): services assigned one by
/// one, measurements taken with the engine's probes, then one requirement federated with each strategy and its data
/// delivered end to end. Throughput is printed, not compared (a live comparison on a loaded machine is a benchmark:
/// see samples/Overlay.Federation); the control overhead per node is checked against the paper's order of magnitude.
/// </summary>
[Category("Integration")]
public class LiveThirtyNodeTests
{
    [Test, CancelAfter(60_000)]
    public async Task Live_ThirtyNodeOverlay_EveryStrategyDeliversEndToEndAndControlOverheadStaysUnderOneKilobytePerSecondPerNode()
    {
        var scenario = new FederationScenario(30, seed: 1);
        var options = new ServiceFederationOptions
        {
            MaintenanceInterval = TimeSpan.FromMilliseconds(200),
            MeasurementInterval = TimeSpan.FromMinutes(5),
            ReportInterval = TimeSpan.FromMilliseconds(500),
            DataPayloadLength = 2000,
        };
        var clock = Stopwatch.StartNew();
        await using var testbed = await FederationTestbed.StartAsync(scenario, options);
        await testbed.AssignServicesAsync(TimeSpan.FromMilliseconds(50));
        Assert.That(await Eventually.TrueAsync(() => testbed.MeasurementCoverage() >= 0.9, TimeSpan.FromSeconds(30)), Is.True,
            $"downstream instances measured: {testbed.MeasurementCoverage():P0}");

        // A chain, so the last hop carries everything: sFlow, fixed, random in turn, each for a moment of data.
        var draw = new Random(1);
        ServiceRequirement requirement;
        do
            requirement = scenario.NextRequirement(draw, forkShare: 0);
        while (requirement.Count != FederationScenario.Layers);
        var source = scenario.InstancesOf(requirement.Source).First();
        var application = 1;
        foreach (var strategy in Enum.GetValues<FederationStrategy>())
        {
            var report = await testbed.RunSessionAsync(source, application++, requirement, strategy, TimeSpan.FromSeconds(2));
            Assert.That(report?.State, Is.EqualTo(FederationState.Deployed), $"{strategy}");
            var chosen = report!.ChosenNodes.Select(id => testbed.Nodes.Select(n => n.Id).ToList().IndexOf(id)).ToArray();
            TestContext.Progress.WriteLine($"{strategy}: nodes {string.Join(",", chosen)}, delivered {report.MessagesDelivered}, last hop {report.LastHopThroughput / 1000:F1} KB/s, " +
                $"average {report.AverageThroughput / 1000:F1} KB/s, delay {report.EndToEndDelay?.TotalMilliseconds:F0} ms, emulated bottleneck " +
                $"{Enumerable.Range(1, chosen.Length - 1).Min(i => scenario.Link(chosen[i - 1], chosen[i])) / 1000:F1} KB/s");
            Assert.That(chosen.Select(i => scenario.Services[i]), Is.EqualTo(requirement.Services));
            Assert.That(report.MessagesDelivered, Is.GreaterThan(0), $"{strategy}: data reached the sink");
            Assert.That(report.ServicesApplied, Is.EqualTo(requirement.Count), $"{strategy}: every service transformed the data");
        }

        var elapsed = clock.Elapsed.TotalSeconds;
        var perNode = testbed.Algorithms.Select(a => a.Overhead.TotalBytes / elapsed).ToArray();
        await testbed.StopAsync();
        TestContext.Progress.WriteLine($"control overhead over {elapsed:F0} s: mean {perNode.Average():F1} B/s per node, max {perNode.Max():F1} B/s; " +
            $"sAware {testbed.Algorithms.Sum(a => a.Overhead.BytesOf(ServiceMessageTypes.Aware))} B, sFederate {testbed.Algorithms.Sum(a => a.Overhead.BytesOf(ServiceMessageTypes.Federate))} B in total");
        Assert.That(perNode.Max(), Is.LessThan(1000), "control overhead of the busiest node, bytes/s");
        Assert.That(testbed.Pool.Outstanding, Is.Zero);
    }
}
