using NUnit.Framework;
using Overlay.Core.Tests.Support;

namespace Overlay.Core.Tests.Emulation;

/// <summary>A limit on the upstream direction of a link is enforced by the receiver, which reads only as fast as it allows.</summary>
[Category("Integration")]
public class UpstreamLinkLimitTests
{
    [Test, CancelAfter(60_000)]
    public async Task UpstreamLimit_SetByTheReceiver_HoldsWithin10Percent_AndLeavesOtherLinksAlone()
    {
        await using var overlay = new TestOverlay();
        static void Small(OverlayNodeOptions o) => o.SocketBufferSize = 16 * 1024;
        var first = new RelayAlgorithm();
        var second = new RelayAlgorithm();
        var a = await overlay.AddAsync(first, Small);
        var c = await overlay.AddAsync(second, Small);
        var b = await overlay.AddAsync(new RelayAlgorithm(), Small);
        first.Children.Add(b.Id);
        second.Children.Add(b.Id);
        // Set at B, before the link from A exists; the link from C stays unlimited but shares B's loop.
        b.SetLinkBandwidth(a.Id, LinkDirection.Upstream, 100_000);
        await a.DeploySourceAsync(1, new SourceOptions { PayloadLength = 5 * 1024 });
        await c.DeploySourceAsync(2, new SourceOptions { PayloadLength = 5 * 1024 });

        // Measured at B's counter, which counts each frame before it waits for the limit: over a window it can run
        // ahead of the rate by one burst (16 KiB) and one frame, never more.
        var rate = await Counters.RateAfterAsync(() => Counters.Received(b, a), 50_000, TimeSpan.FromSeconds(6));
        var unlimited = await Counters.RateAfterAsync(() => Counters.Received(b, c), 50_000, TimeSpan.FromSeconds(2));
        TestContext.Out.WriteLine($"A→B limited at B to 100 KB/s: {rate / 1000:F1} KB/s; C→B unlimited: {unlimited / 1000:F1} KB/s");
        Assert.That(rate, Is.EqualTo(100_000).Within(10).Percent);
        Assert.That(unlimited, Is.GreaterThan(2 * 100_000), "the limit applies to the link from A only");
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }
}
