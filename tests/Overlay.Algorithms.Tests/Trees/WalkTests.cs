using NUnit.Framework;
using Overlay.Algorithms.Tests.Support;

namespace Overlay.Algorithms.Tests.Trees;

[Category("Integration")]
public class WalkTests
{
    private static readonly TimeSpan StressInterval = TimeSpan.FromMilliseconds(100);

    // The paper's nodes S 200, A 500, D 100 KB/s with D and A joined (S→D, S→A), then C (200 KB/s), which knows only
    // D, so its query enters the tree at D. D and S both have stress 1.0 per 100 KB/s: comparing current stress would
    // stop the walk at D. Comparing the stress after accepting (D 2.0, S 1.5, then A 0.4) carries it on to A.
    [Test, CancelAfter(60_000)]
    public async Task NodeStressAware_QueryEntersAtLeafTiedWithParent_WalksOnToLeastStressedAfterAccepting()
    {
        await using var tree = await TreeOverlay.StartAsync(TreeKind.NodeStressAware, [200_000, 500_000, 100_000, 200_000], StressInterval, seed: 1, bootstrap: 0);
        var (s, a, d, c) = (0, 1, 2, 3);
        tree.Learn(s, a, d);
        tree.Learn(a, s, d);
        tree.Learn(d, s, a);
        tree.Learn(c, d);
        await tree.StartSessionAsync(source: null);
        Assert.That(await tree.JoinAsync(d, TimeSpan.FromSeconds(10)), Is.True);
        await Task.Delay(StressInterval * 3);
        Assert.That(await tree.JoinAsync(a, TimeSpan.FromSeconds(10)), Is.True);
        await Task.Delay(StressInterval * 3);
        Assert.That(tree.View(d)!.Stress, Is.EqualTo(tree.View(s)!.Stress), "D and S tie");

        Assert.That(await tree.JoinAsync(c, TimeSpan.FromSeconds(10)), Is.True);
        Assert.That(await tree.SettleAsync(TimeSpan.FromSeconds(10)), Is.Null);
        Assert.That(tree.View(c)!.Parent, Is.EqualTo(tree.Nodes[a].Id));
        Assert.That(tree.View(c)!.Path, Is.EqualTo(new[] { tree.Nodes[s].Id, tree.Nodes[a].Id, tree.Nodes[c].Id }));
    }
}
