using NUnit.Framework;
using Overlay.Algorithms.Services;
using Overlay.Observer.Client;

namespace Overlay.Algorithms.Tests.Services;

/// <summary>The observer assigns services (sAssign), requests a federation (sFederate) and ends it, with custom commands.</summary>
[Category("Integration")]
public class ObserverCommandTests
{
    [Test, CancelAfter(45_000)]
    public async Task ObserverCommands_AssignFederateEnd_SessionDeploysDeliversAndEnds()
    {
        await using var observer = new OverlayObserver(new ObserverOptions { StatusInterval = TimeSpan.FromMilliseconds(250), Seed = 3 });
        await observer.StartAsync();
        await using var overlay = new ServiceOverlay();
        int[] services = [1, 2, 3, 4];
        await overlay.AddNodesAsync(services.Length, i => ServiceOverlay.FastOptions(ServiceCatalogue.Complete, seed: i), o => o.ObserverEndPoint = observer.EndPoint);
        Assert.That(await Eventually.TrueAsync(() => overlay.Nodes.All(n => n.IsObserverConnected), TimeSpan.FromSeconds(20)), Is.True, "observer connections");

        for (var i = 0; i < services.Length; i++)
        {
            var (first, second) = ServiceCommands.Assign(services[i]);
            await observer.SendCustomAsync(overlay.Nodes[i].Id, first, second);
            await Task.Delay(150);
        }

        Assert.That(overlay.Algorithms.Select(a => a.HostedService), Is.EqualTo(services));
        Assert.That(await overlay.MeasuredAsync(2, [3], TimeSpan.FromSeconds(25)), Is.True, "service 3 measured service 4");

        var federate = ServiceCommands.Federate(7, FederationStrategy.SFlow, 1, 3, 4);
        await observer.SendCustomAsync(overlay.Nodes[0].Id, federate.First, federate.Second);
        var source = overlay.Algorithms[0];
        Assert.That(await Eventually.TrueAsync(() => source.GetReport(7)?.MessagesDelivered > 10, TimeSpan.FromSeconds(20)), Is.True, "data reaches the sink");
        Assert.That(source.GetReport(7)!.ChosenNodes, Is.EqualTo(new[] { overlay.Nodes[0].Id, overlay.Nodes[2].Id, overlay.Nodes[3].Id }));

        var end = ServiceCommands.End(7);
        await observer.SendCustomAsync(overlay.Nodes[0].Id, end.First, end.Second);
        Assert.That(await Eventually.TrueAsync(() => source.GetReport(7)?.State == FederationState.Ended, TimeSpan.FromSeconds(10)), Is.True);

        // A requirement with a fork and a join travels in the command's payload.
        var diamond = ServiceCommands.Federate(9, FederationStrategy.SFlow, new ServiceRequirement([1, 2, 3, 4], [(1, 2), (1, 3), (2, 4), (3, 4)]));
        await observer.SendCustomAsync(overlay.Nodes[0].Id, diamond.First, diamond.Second, diamond.Payload);
        Assert.That(await Eventually.TrueAsync(() => source.GetReport(9)?.MessagesDelivered > 10, TimeSpan.FromSeconds(20)), Is.True, "data reaches the sink through the diamond");
        Assert.That(source.GetReport(9)!.ChosenNodes, Is.EquivalentTo(overlay.Nodes.Select(n => n.Id)), "every service of the diamond has its node");
        var endDiamond = ServiceCommands.End(9);
        await observer.SendCustomAsync(overlay.Nodes[0].Id, endDiamond.First, endDiamond.Second);

        // A payload that is not a requirement is refused with a trace.
        await observer.SendCustomAsync(overlay.Nodes[0].Id, diamond.First + 1, 0, new byte[] { 9, 9, 9 });
        await Task.Delay(300);
        Assert.That(source.GetReport(10), Is.Null, "a malformed requirement starts nothing");

        // A malformed command is refused with a trace, and the node carries on.
        await observer.SendCustomAsync(overlay.Nodes[1].Id, ServiceCommands.Federate(8, FederationStrategy.Fixed, 1, 3).First, ServiceCommands.Federate(8, FederationStrategy.Fixed, 1, 3).Second);
        await Task.Delay(300);
        Assert.That(overlay.Algorithms[1].GetReport(8), Is.Null, "node 1 hosts service 2, not the source 1");
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }
}
