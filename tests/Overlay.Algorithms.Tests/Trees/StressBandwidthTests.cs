using NUnit.Framework;
using Overlay.Algorithms.Trees;

namespace Overlay.Algorithms.Tests.Trees;

/// <summary>A node's stress is computed with what it can send: the lower of its emulated upload and total limits.</summary>
[Category("Integration")]
public class StressBandwidthTests
{
    private const int Application = 3;

    [Test, CancelAfter(60_000)]
    public async Task Stress_UsesTheLowerOfUploadAndTotalLimits()
    {
        await using var overlay = new TestOverlay();
        var options = new SessionOptions { StressInterval = TimeSpan.FromMilliseconds(100) };
        var source = new NodeStressAwareTree(options);
        var uploadOnly = new NodeStressAwareTree(options);
        var both = new NodeStressAwareTree(options);
        var totalOnly = new NodeStressAwareTree(options);
        var sourceNode = await overlay.AddAsync(source);
        var uploadOnlyNode = await overlay.AddAsync(uploadOnly, o => o.UploadBandwidth = 60_000);
        var bothNode = await overlay.AddAsync(both, o => (o.UploadBandwidth, o.TotalBandwidth) = (80_000, 50_000));
        var totalOnlyNode = await overlay.AddAsync(totalOnly, o => o.TotalBandwidth = 70_000);
        await sourceNode.InvokeAsync(() => source.StartSession(Application));
        foreach (var (algorithm, node) in new[] { (uploadOnly, uploadOnlyNode), (both, bothNode), (totalOnly, totalOnlyNode) })
        {
            algorithm.AddKnownHosts([sourceNode.Id]);
            await node.InvokeAsync(() => algorithm.JoinSession(Application));
        }

        Assert.That(
            await Eventually.TrueAsync(() => new[] { uploadOnly, both, totalOnly }.All(a => a.GetSnapshot(Application)?.IsAttached == true), TimeSpan.FromSeconds(15)),
            Is.True, "all three joined");
        Assert.That(uploadOnly.GetSnapshot(Application)!.Bandwidth, Is.EqualTo(60_000), "limited by upload alone: not unlimited");
        Assert.That(both.GetSnapshot(Application)!.Bandwidth, Is.EqualTo(50_000), "the lower of upload and total");
        Assert.That(totalOnly.GetSnapshot(Application)!.Bandwidth, Is.EqualTo(70_000), "total alone");
        Assert.That(source.GetSnapshot(Application)!.Bandwidth, Is.EqualTo(double.PositiveInfinity), "no limit at all");
        await overlay.StopAllAsync();
    }
}
