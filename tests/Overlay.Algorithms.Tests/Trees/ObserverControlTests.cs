using NUnit.Framework;
using Overlay.Algorithms.Tests.Support;
using Overlay.Algorithms.Trees;
using Overlay.Observer.Client;

namespace Overlay.Algorithms.Tests.Trees;

/// <summary>The observer drives a session end to end: bootstrap sets, deploy (which starts the session), join and leave.</summary>
[Category("Integration")]
public class ObserverControlTests
{
    private const int Application = 3;

    // Node 1 has ten times the bandwidth of the others, so the node-stress-aware tree hangs 2 and 3 below it; when it
    // leaves, they must find the source again.
    [Test, CancelAfter(90_000)]
    public async Task ObserverCommands_DeployJoinLeave_ChildrenOfTheLeaverRejoin()
    {
        await using var observer = new OverlayObserver(new ObserverOptions { StatusInterval = TimeSpan.FromMilliseconds(250), Seed = 1 });
        await observer.StartAsync();
        await using var overlay = new TestOverlay();
        double[] bandwidths = [100_000, 1_000_000, 100_000, 100_000];
        var algorithms = new List<NodeStressAwareTree>();
        var nodes = new List<OverlayNode>();
        foreach (var bandwidth in bandwidths)
        {
            var algorithm = new NodeStressAwareTree(new SessionOptions { StressInterval = TimeSpan.FromMilliseconds(100), AnnounceInterval = TimeSpan.FromSeconds(1) });
            algorithms.Add(algorithm);
            nodes.Add(await overlay.AddAsync(algorithm, o =>
            {
                o.ObserverEndPoint = observer.EndPoint;
                o.TotalBandwidth = bandwidth;
                o.SocketBufferSize = 8 * 1024;
            }));
        }

        Assert.That(await Eventually.TrueAsync(() => nodes.All(n => n.IsObserverConnected), TimeSpan.FromSeconds(20)), Is.True, "observer connections");
        await observer.DeploySourceAsync(nodes[0].Id, Application, payloadLength: 1000);
        Assert.That(await Eventually.TrueAsync(() => algorithms[0].GetSnapshot(Application)?.IsSource == true, TimeSpan.FromSeconds(10)), Is.True, "session started");
        for (var i = 1; i < nodes.Count; i++)
        {
            await observer.JoinAsync(nodes[i].Id, Application);
            var index = i;
            Assert.That(await Eventually.TrueAsync(() => algorithms[index].GetSnapshot(Application)?.IsAttached == true, TimeSpan.FromSeconds(20)), Is.True, $"node {i} joined");
            await Task.Delay(300);
        }

        Assert.That(await SettleAsync(nodes, algorithms, [0, 1, 2, 3]), Is.Null);
        Assert.That(algorithms[1].GetSnapshot(Application)!.Children, Is.EquivalentTo(new[] { nodes[2].Id, nodes[3].Id }));
        Assert.That(await Eventually.TrueAsync(() => algorithms[3].GetSnapshot(Application)!.BytesReceived > 0, TimeSpan.FromSeconds(10)), Is.True, "data reaches the leaves");

        await observer.LeaveAsync(nodes[1].Id, Application);
        Assert.That(await Eventually.TrueAsync(() => algorithms[1].GetSnapshot(Application) is null, TimeSpan.FromSeconds(10)), Is.True, "node 1 left");
        Assert.That(await SettleAsync(nodes, algorithms, [0, 2, 3]), Is.Null);
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    private static async Task<string?> SettleAsync(List<OverlayNode> nodes, List<NodeStressAwareTree> algorithms, int[] members)
    {
        string? Problem() => TreeShape.Problem(members.ToDictionary(i => nodes[i].Id, i => algorithms[i].GetSnapshot(Application)), nodes[0].Id);
        await Eventually.TrueAsync(() => Problem() is null, TimeSpan.FromSeconds(20));
        return Problem();
    }
}
