using NUnit.Framework;
using Overlay.Algorithms.Services;

namespace Overlay.Algorithms.Tests.Services;

/// <summary>Requirements as DAGs, the observer's command encoding and the selection rules on a hand-made view.</summary>
public class RequirementTests
{
    [Test]
    public void Requirement_GivenOutOfOrder_IsKeptTopologicallySourceFirstSinkLast()
    {
        var requirement = new ServiceRequirement([5, 3, 1, 2], [(2, 5), (1, 2), (1, 3), (3, 5)]);
        Assert.That(requirement.Source, Is.EqualTo(1));
        Assert.That(requirement.Sink, Is.EqualTo(5));
        foreach (var (from, to) in requirement.Edges)
            Assert.That(from, Is.LessThan(to));
        Assert.That(requirement.PredecessorsOf(requirement.PositionOf(5)), Has.Count.EqualTo(2));
    }

    [TestCase(new[] { 1, 2, 3 }, new[] { 1, 2, 2, 3, 3, 1 }, TestName = "Requirement_Cycle_Refused")]
    [TestCase(new[] { 1, 2, 3 }, new[] { 1, 2, 1, 3 }, TestName = "Requirement_TwoSinks_Refused")]
    [TestCase(new[] { 1, 2, 3 }, new[] { 1, 3, 2, 3 }, TestName = "Requirement_TwoSources_Refused")]
    [TestCase(new[] { 1, 2 }, new[] { 1, 9 }, TestName = "Requirement_UnknownService_Refused")]
    [TestCase(new[] { 1, 1 }, new[] { 1, 1 }, TestName = "Requirement_RepeatedService_Refused")]
    public void Requirement_Malformed_Refused(int[] services, int[] edges)
    {
        var pairs = Enumerable.Range(0, edges.Length / 2).Select(i => (edges[2 * i], edges[(2 * i) + 1])).ToArray();
        Assert.Throws<ArgumentException>(() => _ = new ServiceRequirement(services, pairs));
    }

    [Test]
    public void Commands_FederateChain_DecodeToTheSameChainStrategyAndApplication()
    {
        var (first, second) = ServiceCommands.Federate(4242, FederationStrategy.Fixed, 7, 200, 3);
        Assert.That(ServiceCommands.CommandOf(first), Is.EqualTo(2));
        Assert.That(ServiceCommands.ApplicationOf(first), Is.EqualTo(4242));
        Assert.That(ServiceCommands.StrategyOf(first), Is.EqualTo(FederationStrategy.Fixed));
        Assert.That(ServiceCommands.ChainOf(second), Is.EqualTo(new[] { 7, 200, 3 }));
        Assert.Throws<ArgumentException>(() => ServiceCommands.Federate(1, FederationStrategy.SFlow, 1, 256));
        Assert.Throws<ArgumentOutOfRangeException>(() => ServiceCommands.Federate(0, FederationStrategy.SFlow, 1, 2));
    }

    // Node a: 1 hop 300 but reaches onwards at 50; node b: 1 hop 200, reaches 180. Sink type 3 is scored by its hop alone.
    [TestCase(FederationStrategy.SFlow, "b")]
    [TestCase(FederationStrategy.Fixed, "a")]
    public void Planner_LookAheadVersusOneHop_PicksByItsRule(FederationStrategy strategy, string expected)
    {
        var a = new NodeId(0x7F000001, 1001);
        var b = new NodeId(0x7F000001, 1002);
        var view = new ServiceGraph(ServiceCatalogue.Complete);
        view.Add(a, 2);
        view.Add(b, 2);
        view.SetBandwidth(a, 300_000);
        view.SetBandwidth(b, 200_000);
        view.SetReach(a, 3, 50_000);
        view.SetReach(b, 3, 180_000);
        var requirement = ServiceRequirement.Chain(1, 2, 3);
        var chosen = FederationPlanner.Choose(strategy, view, requirement, 1, [new NodeId(0x7F000001, 1000), NodeId.None, NodeId.None], new Random(1));
        Assert.That(chosen, Is.EqualTo(expected == "a" ? a : b));
    }

    [Test]
    public void Planner_FailedAndAlreadyChosenInstances_NeverPicked()
    {
        var a = new NodeId(0x7F000001, 1001);
        var b = new NodeId(0x7F000001, 1002);
        var view = new ServiceGraph(ServiceCatalogue.Complete);
        view.Add(a, 2);
        view.Add(b, 2);
        view.SetBandwidth(a, 0);
        view.SetBandwidth(b, 100);
        var requirement = ServiceRequirement.Chain(1, 2, 3);
        for (var seed = 0; seed < 20; seed++)
            Assert.That(FederationPlanner.Choose(FederationStrategy.Random, view, requirement, 1, [NodeId.None, NodeId.None, NodeId.None], new Random(seed)), Is.EqualTo(b));
        Assert.That(FederationPlanner.Choose(FederationStrategy.SFlow, view, requirement, 1, [NodeId.None, NodeId.None, b], new Random(1)), Is.EqualTo(NodeId.None));
    }
}
