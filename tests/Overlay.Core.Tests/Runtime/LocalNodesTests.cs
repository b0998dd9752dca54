using NUnit.Framework;
using Overlay.Runtime;
using Overlay.Transport.InMemory;

namespace Overlay.Core.Tests.Runtime;

/// <summary>A world's registry of running nodes counts identities: two in-memory networks may reuse one.</summary>
public class LocalNodesTests
{
    [Test]
    public void AnIdentityRunningTwice_StaysRegistered_UntilBothStop()
    {
        var nodes = new LocalNodes();
        var id = new NodeId(0x0A000001, 7000);
        nodes.Add(id);
        nodes.Add(id);
        nodes.Remove(id);
        Assert.That((nodes.Contains(id), nodes.Count), Is.EqualTo((true, 1)), "one of the two still runs");
        nodes.Remove(id);
        nodes.Remove(id);
        Assert.That((nodes.Contains(id), nodes.Count), Is.EqualTo((false, 0)));
    }

    [Test, CancelAfter(30_000)]
    public async Task TwoNetworksInOneWorld_SameIdentities_StoppingOneLeavesTheOtherRegistered()
    {
        var world = new OverlayRuntime();
        var (first, second) = (new InMemoryNetwork(), new InMemoryNetwork());
        await using var a = new OverlayNode(new OverlayNodeOptions { Runtime = world, Transport = first }, new RelayAlgorithm());
        await using var b = new OverlayNode(new OverlayNodeOptions { Runtime = world, Transport = second }, new RelayAlgorithm());
        await a.StartAsync();
        await b.StartAsync();
        Assert.That(a.Id, Is.EqualTo(b.Id), "each network numbers its nodes from the same address");
        Assert.That(await Eventually.TrueAsync(() => world.RunningNodes == 2, TimeSpan.FromSeconds(10)), Is.True);

        await a.StopAsync();
        Assert.That(await Eventually.TrueAsync(() => world.RunningNodes == 1, TimeSpan.FromSeconds(10)), Is.True);
        Assert.That(world.Nodes.Contains(b.Id), Is.True, "b still runs in the world");
    }
}
