using NUnit.Framework;
using Overlay.Core.Tests.Support;
using Overlay.Emulation;

namespace Overlay.Core.Tests.Emulation;

/// <summary>A node's download budget changes at run time; its total budget is shared by what it uploads and downloads.</summary>
[Category("Integration")]
public class NodeBandwidthTests
{
    private const int PayloadLength = 5 * 1024;

    [Test, CancelAfter(90_000)]
    public async Task DownloadLimit_ChangedAtRunTime_TheReceiveRateFollows()
    {
        await using var overlay = new TestOverlay();
        static void Small(OverlayNodeOptions o) => o.SocketBufferSize = 16 * 1024;
        var feeder = new RelayAlgorithm();
        var s = await overlay.AddAsync(feeder, Small);
        var x = await overlay.AddAsync(new RelayAlgorithm(), o =>
        {
            Small(o);
            o.DownloadBandwidth = 200_000;
        });
        feeder.Children.Add(x.Id);
        await s.DeploySourceAsync(1, new SourceOptions { PayloadLength = PayloadLength });

        // X's counter counts a frame before the wait it costs: a window can hold one burst and one frame extra.
        var before = await Counters.RateAfterAsync(() => Counters.Received(x, s), 50_000, TimeSpan.FromSeconds(4));
        x.SetBandwidth(BandwidthScope.Download, 50_000);
        Assert.That(x.GetBandwidth(BandwidthScope.Download), Is.EqualTo(50_000));
        var after = await Counters.RateAfterAsync(() => Counters.Received(x, s), 30_000, TimeSpan.FromSeconds(8));
        x.SetBandwidth(BandwidthScope.Download, null);
        var unlimited = await Counters.RateAfterAsync(() => Counters.Received(x, s), 50_000, TimeSpan.FromSeconds(2));
        TestContext.Out.WriteLine($"download 200 KB/s: {before / 1000:F1}; changed to 50 KB/s: {after / 1000:F1}; removed: {unlimited / 1000:F1} KB/s");
        Assert.That(before, Is.EqualTo(200_000).Within(10).Percent);
        Assert.That(after, Is.EqualTo(50_000).Within(10).Percent);
        Assert.That(x.GetBandwidth(BandwidthScope.Download), Is.Null);
        Assert.That(unlimited, Is.GreaterThan(2 * 200_000), "removing the limit lets the link run free");
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(90_000)]
    public async Task TotalLimit_IsSharedByUploadAndDownload()
    {
        await using var overlay = new TestOverlay();
        static void Small(OverlayNodeOptions o) => o.SocketBufferSize = 16 * 1024;
        var feeder = new RelayAlgorithm();
        var s = await overlay.AddAsync(feeder, Small);
        var middle = new ConsumeAndUpload();
        var x = await overlay.AddAsync(middle, o =>
        {
            Small(o);
            o.TotalBandwidth = 200_000;
        });
        var y = await overlay.AddAsync(new RelayAlgorithm(), Small);
        feeder.Children.Add(x.Id);
        middle.Target = y.Id;
        await s.DeploySourceAsync(1, new SourceOptions { PayloadLength = PayloadLength });
        await x.DeploySourceAsync(2, new SourceOptions { PayloadLength = PayloadLength });

        Assert.That(await Eventually.TrueAsync(() => Counters.Received(x, s) > 50_000 && Counters.Sent(x, y) > 50_000, TimeSpan.FromSeconds(30)), Is.True);
        var rates = await LinkRates.MeasureAsync(
            new Dictionary<string, Func<long>> { ["download"] = () => Counters.Received(x, s), ["upload"] = () => Counters.Sent(x, y) },
            TimeSpan.FromSeconds(8));
        TestContext.Out.WriteLine($"total 200 KB/s: download {rates["download"] / 1000:F1}, upload {rates["upload"] / 1000:F1} KB/s");
        Assert.That(rates["download"] + rates["upload"], Is.EqualTo(200_000).Within(10).Percent, "upload and download together");
        Assert.That(rates["download"], Is.GreaterThan(200_000 * 0.1), "download got a share");
        Assert.That(rates["upload"], Is.GreaterThan(200_000 * 0.1), "upload got a share");
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }
}
