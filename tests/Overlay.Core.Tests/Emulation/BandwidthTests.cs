using NUnit.Framework;
using Overlay.Core.Tests.Support;

namespace Overlay.Core.Tests.Emulation;

[Category("Integration")]
public class BandwidthTests
{
    private const int PayloadLength = 5 * 1024;
    private const double Frame = PayloadLength + 24;

    [Test, CancelAfter(90_000)]
    public async Task LinkLimit_400KBps_HoldsWithin5Percent_AndChangesAtRunTime()
    {
        await using var overlay = new TestOverlay();
        var sender = new RelayAlgorithm();
        var a = await overlay.AddAsync(sender, o => o.SocketBufferSize = 16 * 1024);
        var b = await overlay.AddAsync(new RelayAlgorithm(), o => o.SocketBufferSize = 16 * 1024);
        sender.Children.Add(b.Id);
        a.SetLinkBandwidth(b.Id, LinkDirection.Downstream, 400_000);
        await a.DeploySourceAsync(1, new SourceOptions { PayloadLength = PayloadLength });
        await SentAtLeastAsync(a, b, 100_000); // past the link's opening burst
        var rate = await LinkRates.MeasureSteadyAsync(a, b, TimeSpan.FromSeconds(5));
        TestContext.Out.WriteLine($"limited to 400 KB/s: {rate / 1000:F1} KB/s");
        Assert.That(rate, Is.EqualTo(400_000).Within(5).Percent);

        a.SetLinkBandwidth(b.Id, LinkDirection.Downstream, 100_000);
        await SentAtLeastAsync(a, b, 50_000); // past what was queued in kernel buffers at the old rate
        rate = await LinkRates.MeasureSteadyAsync(a, b, TimeSpan.FromSeconds(4));
        TestContext.Out.WriteLine($"changed to 100 KB/s: {rate / 1000:F1} KB/s");
        Assert.That(rate, Is.EqualTo(100_000).Within(5).Percent);

        // The meter the node keeps agrees with what the test measured. One interval holds ~20 of these 5 KB
        // messages, so a single reading moves by a message or two; the mean of several is what must agree.
        // Each reading is a new interval's: the meter's value changed since the last one.
        var readings = new List<double>();
        double Meter() => a.GetStatistics().Find(b.Id, LinkDirection.Downstream)!.BytesPerSecond;
        for (var i = 0; i < 5; i++)
        {
            var previous = Meter();
            Assert.That(await Eventually.TrueAsync(() => Meter() != previous, TimeSpan.FromSeconds(20)), Is.True, "the meter was sampled again");
            readings.Add(Meter());
        }

        TestContext.Out.WriteLine("meter readings: " + string.Join(", ", readings.Select(r => (r / 1000).ToString("F1"))));
        Assert.That(readings.Average(), Is.EqualTo(100_000).Within(10).Percent);
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(90_000)]
    public async Task AsymmetricNode_Download200_Upload50_EachHoldsWithin10Percent()
    {
        await using var overlay = new TestOverlay();
        static void Small(OverlayNodeOptions o) => o.SocketBufferSize = 16 * 1024;
        var feeder = new RelayAlgorithm();
        var s = await overlay.AddAsync(feeder, Small);
        var middle = new ConsumeAndUpload();
        var x = await overlay.AddAsync(middle, o =>
        {
            Small(o);
            o.DownloadBandwidth = 200_000;
            o.UploadBandwidth = 50_000;
        });
        var y = await overlay.AddAsync(new RelayAlgorithm(), Small);
        feeder.Children.Add(x.Id);
        middle.Target = y.Id;
        await s.DeploySourceAsync(1, new SourceOptions { PayloadLength = PayloadLength });
        await x.DeploySourceAsync(2, new SourceOptions { PayloadLength = PayloadLength });

        var links = new Dictionary<string, (OverlayNode, OverlayNode)> { ["SX"] = (s, x), ["XY"] = (x, y) };
        await SentAtLeastAsync(s, x, 100_000); // both links past their opening bursts
        await SentAtLeastAsync(x, y, 50_000);
        var rates = await LinkRates.MeasureAsync(links, TimeSpan.FromSeconds(5));
        TestContext.Out.WriteLine(LinkRates.Format(rates));
        Assert.That(rates["SX"], Is.EqualTo(200_000).Within(10).Percent, "download");
        Assert.That(rates["XY"], Is.EqualTo(50_000).Within(10).Percent, "upload");
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    /// <summary>Waits until <paramref name="from"/> has sent <paramref name="bytes"/> more to <paramref name="to"/> than now.</summary>
    private static async Task SentAtLeastAsync(OverlayNode from, OverlayNode to, long bytes)
    {
        long Sent() => from.GetStatistics().Find(to.Id, LinkDirection.Downstream)?.Bytes ?? 0;
        var start = Sent();
        Assert.That(await Eventually.TrueAsync(() => Sent() >= start + bytes, TimeSpan.FromSeconds(30)), Is.True, $"{from.Id} → {to.Id} sent {Sent() - start} bytes");
    }
}
