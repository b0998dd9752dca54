using NUnit.Framework;
using Overlay.Algorithms.Services;

namespace Overlay.Algorithms.Tests.Services;

/// <summary>A chosen node dies during a session: its source hears the session is broken, and federates again around it.</summary>
[Category("Integration")]
public class FailureTests
{
    // Node → service: a source, three instances of 2 (node 1 the best), two sinks.
    private static readonly int[] Services = [1, 2, 2, 2, 3, 3];

    [Test, CancelAfter(45_000)]
    public async Task SFlow_ChosenNodeDies_SourceReportsBrokenAndANewFederationAvoidsIt()
    {
        var catalogue = ServiceCatalogue.FromEdges([(1, 2), (2, 3)]);
        var chain = ServiceRequirement.Chain(1, 2, 3);
        await using var overlay = new ServiceOverlay();
        await overlay.AddNodesAsync(Services.Length, i => ServiceOverlay.FastOptions(catalogue, seed: i));
        for (var i = 0; i < Services.Length; i++)
            overlay.Introduce(i, Enumerable.Range(0, Services.Length).Where(j => j != i));
        double[] intoService2 = [300_000, 150_000, 100_000];
        for (var i = 1; i <= 3; i++)
        {
            overlay.SetLink(0, i, intoService2[i - 1]);
            overlay.SetLink(i, 4, 250_000);
            overlay.SetLink(i, 5, 120_000);
        }

        for (var i = 0; i < Services.Length; i++)
            await overlay.AssignAsync(i, Services[i]);
        Assert.That(await overlay.MeasuredAsync(0, [1, 2, 3], TimeSpan.FromSeconds(25)), Is.True);
        foreach (var middle in new[] { 1, 2, 3 })
            Assert.That(await overlay.MeasuredAsync(middle, [4, 5], TimeSpan.FromSeconds(25)), Is.True);
        await Task.Delay(1000);

        var first = await overlay.FederateAsync(0, 50, chain, FederationStrategy.SFlow, TimeSpan.FromSeconds(15));
        Assert.That(first?.State, Is.EqualTo(FederationState.Deployed));
        var victim = overlay.IndexOf(first!.ChosenNodes[1]);
        Assert.That(victim, Is.EqualTo(1), "the widest instance of service 2 is chosen first");
        var source = overlay.Algorithms[0];
        Assert.That(await Eventually.TrueAsync(() => source.GetReport(50)?.MessagesDelivered > 10, TimeSpan.FromSeconds(15)), Is.True, "data flows before the failure");

        await overlay.Nodes[victim].TerminateAsync();
        Assert.That(await Eventually.TrueAsync(() => source.GetReport(50)?.State == FederationState.Broken, TimeSpan.FromSeconds(15)), Is.True, "the source hears the session broke");
        Assert.That(source.GetReport(50)!.FailedNode, Is.EqualTo(overlay.Nodes[victim].Id));

        var second = await overlay.FederateAsync(0, 51, chain, FederationStrategy.SFlow, TimeSpan.FromSeconds(15));
        Assert.That(second?.State, Is.EqualTo(FederationState.Deployed));
        Assert.That(second!.ChosenNodes, Does.Not.Contain(overlay.Nodes[victim].Id));
        Assert.That(overlay.IndexOf(second.ChosenNodes[1]), Is.EqualTo(2), "the next widest instance replaces it");
        Assert.That(await Eventually.TrueAsync(() => source.GetReport(51)?.MessagesDelivered > 10, TimeSpan.FromSeconds(15)), Is.True, "data flows around the failed node");
        await overlay.EndAsync(0, 51);
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }
}
