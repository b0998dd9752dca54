using NUnit.Framework;
using FsProperty = FsCheck.NUnit.PropertyAttribute;

namespace Overlay.Core.Tests.Engine;

[Category("Integration")]
public class TopologyPropertyTests
{
    // A random DAG of 2..8 nodes (edges only from lower to higher index, so no cycles), node 0 the source.
    // Every node forwards the first copy of each message to all its children. Then every edge out of a
    // reachable node carries every message exactly once, in order, and every reachable node delivers all.
    [FsProperty(MaxTest = 12)]
    public bool RandomDag_ForwardToAllChildren_EveryReachableNodeGetsEveryMessageOncePerEdge(int seed)
    {
        return RunAsync(seed).GetAwaiter().GetResult();
    }

    private static async Task<bool> RunAsync(int seed)
    {
        const int Count = 300;
        var random = new Random(seed);
        var size = random.Next(2, 9);
        await using var overlay = new TestOverlay();
        var algorithms = new RelayAlgorithm[size];
        var nodes = new OverlayNode[size];
        for (var i = 0; i < size; i++)
        {
            algorithms[i] = new RelayAlgorithm { Deduplicate = true };
            nodes[i] = await overlay.AddAsync(algorithms[i], o => o.BufferCapacity = 1 + random.Next(8));
        }

        var edges = new List<(int From, int To)>();
        for (var from = 0; from < size; from++)
        {
            for (var to = from + 1; to < size; to++)
            {
                if (random.NextDouble() < 0.45)
                {
                    edges.Add((from, to));
                    algorithms[from].Children.Add(nodes[to].Id);
                }
            }
        }

        var reachable = new bool[size];
        reachable[0] = true;
        foreach (var (from, to) in edges)
            reachable[to] |= reachable[from]; // edges are sorted by `from`, so one pass suffices

        await nodes[0].DeploySourceAsync(7, new SourceOptions { PayloadLength = 1 + random.Next(3000), MessageLimit = Count });
        var done = await Eventually.TrueAsync(
            () => Enumerable.Range(0, size).All(i => !reachable[i] || algorithms[i].Delivered >= Count),
            TimeSpan.FromSeconds(30));
        await Task.Delay(100);
        var expected = Enumerable.Range(0, Count).ToList();
        var ok = done;
        foreach (var (from, to) in edges)
        {
            if (reachable[from])
                ok &= algorithms[to].ArrivalsFrom(nodes[from].Id).SequenceEqual(expected);
        }

        for (var i = 0; i < size; i++)
            ok &= algorithms[i].Corrupt == 0 && algorithms[i].Delivered == (reachable[i] ? Count : 0);
        await overlay.StopAllAsync();
        if (!ok || overlay.Pool.Outstanding != 0)
        {
            TestContext.Out.WriteLine($"seed {seed}: {size} nodes, edges {string.Join(' ', edges)}, outstanding {overlay.Pool.Outstanding}");
            TestContext.Out.WriteLine("delivered " + string.Join(' ', algorithms.Select(a => a.Delivered)));
            foreach (var (from, to) in edges)
                TestContext.Out.WriteLine($"  {from}->{to}: {algorithms[to].ArrivalsFrom(nodes[from].Id).Count}");
        }

        return ok && overlay.Pool.Outstanding == 0;
    }
}
