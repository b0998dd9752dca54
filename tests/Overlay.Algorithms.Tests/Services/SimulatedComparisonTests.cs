using NUnit.Framework;
using Overlay.Algorithms.Services;
using Overlay.Federation.Experiments;

namespace Overlay.Algorithms.Tests.Services;

/// <summary>
/// The paper's Fig. 19 comparison, simulated: 20 seeded 30-node scenarios, each federating the same requirements with
/// each strategy through <see cref="FederationSimulator"/> — the live algorithm's selection code on idealised
/// measurements, with the session throughput modelled as the narrowest chosen link. No nodes run here; the live
/// counterpart runs in the live thirty-node test.
/// </summary>
public class SimulatedComparisonTests
{
    private const int Runs = 20;
    private const int Nodes = 30;
    private const int RequirementsPerRun = 10;

    [Test]
    public void Simulated_TwentySeededThirtyNodeOverlays_MedianThroughputSFlowAboveFixedAboveRandom()
    {
        var medians = Enum.GetValues<FederationStrategy>().ToDictionary(s => s, _ => new List<double>());
        var requirements = 0;
        var differentFromSFlow = Enum.GetValues<FederationStrategy>().ToDictionary(s => s, _ => 0);
        var slowerThanSFlow = Enum.GetValues<FederationStrategy>().ToDictionary(s => s, _ => 0);
        for (var seed = 1; seed <= Runs; seed++)
        {
            var scenario = new FederationScenario(Nodes, seed);
            var simulator = new FederationSimulator(scenario);
            var draw = new Random(seed);
            var perRun = Enum.GetValues<FederationStrategy>().ToDictionary(s => s, _ => new List<double>());
            for (var r = 0; r < RequirementsPerRun; r++)
            {
                var requirement = scenario.NextRequirement(draw);
                var sources = scenario.InstancesOf(requirement.Source).ToArray();
                var source = sources[draw.Next(sources.Length)];
                var results = new Dictionary<FederationStrategy, (IReadOnlyList<int> Nodes, double Throughput)>();
                foreach (var strategy in Enum.GetValues<FederationStrategy>())
                {
                    var result = simulator.Federate(requirement, source, strategy, new Random((seed * 1000) + r));
                    Assert.That(result, Is.Not.Null, $"seed {seed}: {requirement} has an instance of every service");
                    Assert.That(result!.Value.Nodes.Select(n => scenario.Services[n]), Is.EqualTo(requirement.Services));
                    perRun[strategy].Add(result.Value.Throughput);
                    results[strategy] = (result.Value.Nodes.ToArray(), result.Value.Throughput);
                }

                requirements++;
                foreach (var (strategy, result) in results)
                {
                    if (!result.Nodes.SequenceEqual(results[FederationStrategy.SFlow].Nodes))
                        differentFromSFlow[strategy]++;
                    if (result.Throughput < results[FederationStrategy.SFlow].Throughput)
                        slowerThanSFlow[strategy]++;
                }
            }

            foreach (var (strategy, values) in perRun)
                medians[strategy].Add(Median(values));
        }

        var sflow = Median(medians[FederationStrategy.SFlow]);
        var fix = Median(medians[FederationStrategy.Fixed]);
        var random = Median(medians[FederationStrategy.Random]);
        TestContext.Progress.WriteLine($"simulated median of per-run median throughput over {Runs} runs: sFlow {sflow / 1000:F1} KB/s, fixed {fix / 1000:F1} KB/s, random {random / 1000:F1} KB/s");
        TestContext.Progress.WriteLine($"of {requirements} requirements, other choices than sFlow: fixed {differentFromSFlow[FederationStrategy.Fixed]}, random {differentFromSFlow[FederationStrategy.Random]}; " +
            $"slower than sFlow: fixed {slowerThanSFlow[FederationStrategy.Fixed]}, random {slowerThanSFlow[FederationStrategy.Random]}");

        // The scenarios separate the strategies (a tie everywhere would pass a comparison with ≥ and prove nothing):
        // random lands elsewhere than sFlow, and slower, for most requirements; fixed — which, like sFlow, prefers
        // measured bandwidth but only looks one hop ahead — for a good share of them.
        Assert.That(differentFromSFlow[FederationStrategy.Random], Is.GreaterThan(requirements * 3 / 4), "random chose as sFlow did");
        Assert.That(slowerThanSFlow[FederationStrategy.Random], Is.GreaterThan(requirements * 3 / 5), "random was rarely slower than sFlow");
        Assert.That(differentFromSFlow[FederationStrategy.Fixed], Is.GreaterThan(requirements / 3), "fixed chose as sFlow did");
        Assert.That(slowerThanSFlow[FederationStrategy.Fixed], Is.GreaterThan(requirements / 3), "fixed was rarely slower than sFlow");

        // The paper's Fig. 19 order, strict: sFlow above fixed above random, each by more than a tenth. The runs are
        // seeded and simulated, so these figures do not vary from run to run.
        Assert.That(sflow, Is.GreaterThan(fix * 1.1));
        Assert.That(fix, Is.GreaterThan(random * 1.1));
    }

    [Test]
    public void Simulated_SameSeed_SameChoices()
    {
        var scenario = new FederationScenario(Nodes, seed: 5);
        var requirement = scenario.NextRequirement(new Random(5));
        var source = scenario.InstancesOf(requirement.Source).First();
        var first = new FederationSimulator(scenario).Federate(requirement, source, FederationStrategy.Random, new Random(9));
        var second = new FederationSimulator(new FederationScenario(Nodes, seed: 5)).Federate(requirement, source, FederationStrategy.Random, new Random(9));
        Assert.That(first!.Value.Nodes, Is.EqualTo(second!.Value.Nodes));
    }

    internal static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
