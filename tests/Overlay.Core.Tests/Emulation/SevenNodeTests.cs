using NUnit.Framework;
using Overlay.Emulation;

namespace Overlay.Core.Tests.Emulation;

/// <summary>The paper's correctness experiments on the seven-node topology (Fig. 6(a), 6(b), 7(a), 7(b)).</summary>
[Category("Integration")]
public class SevenNodeTests
{
    private const double Tolerance = 0.15;
    private const int KB = 1000;

    [Test, CancelAfter(120_000)]
    public async Task Fig6_NodeTotalAt400_ThenDUploadAt30_BackPressureReachesTheSource()
    {
        await using var overlay = new TestOverlay();
        var net = await SevenNodeTopology.StartAsync(overlay, bufferCapacity: 5, (name, o) =>
        {
            if (name == "A")
                o.TotalBandwidth = 400 * KB;
        });
        await net["A"].DeploySourceAsync(1, new SourceOptions { PayloadLength = 5 * 1024 });

        // Fig. 6(a): A's 400 KB/s split over its two downstreams; every other link carries what its upstream delivers.
        var expectedA = Expect(("AB", 200), ("AC", 200), ("BD", 200), ("BF", 200), ("CD", 200), ("CG", 200), ("DE", 400), ("EF", 400), ("EG", 400));
        var rates = await net.ConvergeAsync(expectedA, Tolerance, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(20));
        TestContext.Out.WriteLine("6(a) KB/s: " + LinkRates.Format(rates));
        AssertRates(rates, expectedA);

        // Fig. 6(b): D's upload cut to 30 KB/s at run time; with buffers of 5 the pressure reaches the source.
        net["D"].SetBandwidth(BandwidthScope.Upload, 30 * KB);
        var expectedB = Expect(("DE", 30), ("BD", 15), ("CD", 15), ("AB", 15), ("BF", 15), ("AC", 15), ("CG", 15), ("EF", 30), ("EG", 30));
        rates = await net.ConvergeAsync(expectedB, Tolerance, TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(45));
        TestContext.Out.WriteLine("6(b) KB/s: " + LinkRates.Format(rates));
        AssertRates(rates, expectedB);
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(120_000)]
    public async Task Fig7_LargeBuffers_OnlyDownstreamOfTheBottleneckSlows_ThenEFLimitLeavesEGAlone()
    {
        await using var overlay = new TestOverlay();
        var net = await SevenNodeTopology.StartAsync(overlay, bufferCapacity: 10_000, (name, o) =>
        {
            if (name == "A")
                o.TotalBandwidth = 400 * KB;
            if (name == "D")
                o.UploadBandwidth = 30 * KB;
        });
        await net["A"].DeploySourceAsync(1, new SourceOptions { PayloadLength = 5 * 1024 });

        // Fig. 7(a): within the window only D's downstream links slow down; D's upstreams BD and CD keep the full 200
        // KB/s, filling D's large buffers (10,000 messages, minutes of room at these rates).
        var expectedA = Expect(("DE", 30), ("EF", 30), ("EG", 30), ("AB", 200), ("AC", 200), ("BD", 200), ("CD", 200), ("BF", 200), ("CG", 200));
        var rates = await net.ConvergeAsync(expectedA, Tolerance, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(30));
        TestContext.Out.WriteLine("7(a) KB/s: " + LinkRates.Format(rates));
        AssertRates(rates, expectedA);

        // Fig. 7(b): limiting link EF to 15 KB/s does not touch EG while E's buffers have room.
        net["E"].SetLinkBandwidth(net["F"].Id, LinkDirection.Downstream, 15 * KB);
        var expectedB = Expect(("EF", 15), ("EG", 30), ("DE", 30));
        rates = await net.ConvergeAsync(expectedB, Tolerance, TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(30));
        TestContext.Out.WriteLine("7(b) KB/s: " + LinkRates.Format(rates));
        AssertRates(rates, expectedB);
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    private static Dictionary<string, double> Expect(params (string Link, double KBps)[] rates) =>
        rates.ToDictionary(r => r.Link, r => r.KBps * KB);

    private static void AssertRates(Dictionary<string, double> measured, Dictionary<string, double> expected)
    {
        Assert.Multiple(() =>
        {
            foreach (var (link, rate) in expected)
                Assert.That(measured[link], Is.EqualTo(rate).Within(Tolerance * 100).Percent, link);
        });
    }
}
