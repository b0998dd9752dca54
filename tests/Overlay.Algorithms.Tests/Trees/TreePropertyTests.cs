using NUnit.Framework;
using Overlay.Algorithms.Tests.Support;
using FsProperty = FsCheck.NUnit.PropertyAttribute;

namespace Overlay.Algorithms.Tests.Trees;

[Category("Integration")]
public class TreePropertyTests
{
    private static readonly TimeSpan StressInterval = TimeSpan.FromMilliseconds(100);

    // Any algorithm, 3–8 nodes with any bandwidths, any join order, joins overlapping or not, and possibly one node
    // crashing afterwards: the nodes' own views always settle into one tree rooted at the source holding every live node.
    [FsProperty(MaxTest = 10, Arbitrary = [typeof(TreeCases)])]
    public bool AnyJoinOrderAndBandwidths_Join_TreeRootedAtSourceHoldsEveryLiveNode(TreeCase scenario) =>
        RunAsync(scenario).GetAwaiter().GetResult();

    private static async Task<bool> RunAsync(TreeCase scenario)
    {
        await using var tree = await TreeOverlay.StartAsync(
            scenario.Kind, scenario.Bandwidths.Select(b => b * 1000.0).ToArray(), StressInterval, seed: 1);
        await tree.StartSessionAsync(source: null);
        foreach (var index in scenario.JoinOrder)
        {
            await tree.BeginJoinAsync(index);
            await Task.Delay(scenario.SpacingMilliseconds);
        }

        var problem = await tree.SettleAsync(TimeSpan.FromSeconds(20));
        if (problem is null && scenario.Crash > 0)
        {
            await tree.KillAsync(scenario.Crash);
            problem = await tree.SettleAsync(TimeSpan.FromSeconds(20));
        }

        if (problem is not null)
            TestContext.Out.WriteLine($"{scenario}: {problem}\n{tree.Describe()}");
        await tree.DisposeAsync();
        return problem is null && tree.Pool.Outstanding == 0;
    }
}
