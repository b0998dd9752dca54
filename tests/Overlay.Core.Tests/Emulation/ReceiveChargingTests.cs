using NUnit.Framework;
using Overlay.Engine;

namespace Overlay.Core.Tests.Emulation;

/// <summary>The receive side charges its token buckets per socket read, not per message, and still holds the limit.</summary>
[Category("Integration")]
public class ReceiveChargingTests
{
    [Test, CancelAfter(60_000)]
    public async Task DownloadLimit_IsChargedPerRead_NotPerMessage()
    {
        const int messages = 5000;
        const double limit = 2_000_000;
        await using var overlay = new TestOverlay();
        var sender = new RelayAlgorithm();
        var receiver = new RelayAlgorithm();
        var s = await overlay.AddAsync(sender);
        var x = await overlay.AddAsync(receiver, o => o.DownloadBandwidth = limit);
        sender.Children.Add(x.Id);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await s.DeploySourceAsync(1, new SourceOptions { PayloadLength = 100, MessageLimit = messages });

        Assert.That(await Eventually.TrueAsync(() => receiver.Delivered == messages, TimeSpan.FromSeconds(30)), Is.True);
        var seconds = clock.Elapsed.TotalSeconds;
        var reservations = x.DownloadBucket.LimitedReservations;
        var bytes = messages * (100 + 24.0);
        TestContext.Out.WriteLine($"{messages} messages ({bytes / 1000:F0} KB) through a {limit / 1e6} MB/s download limit in {seconds:F2} s; "
            + $"{reservations} reservations of the download bucket");
        Assert.That(reservations, Is.LessThanOrEqualTo(messages / 10), "charged per read: a read carries many small frames");
        // The limit still holds: the bytes beyond one burst took at least their time at the limit. A read is delivered
        // at once and its debt waited out after, so the last read (at most one grant slice) arrives before its time.
        var lastRead = Math.Max(UpstreamLink.MinimumReadBytes, x.DownloadBucket.SliceBytes(DownstreamLink.GrantSeconds));
        Assert.That(seconds, Is.GreaterThanOrEqualTo((bytes - x.DownloadBucket.Burst - lastRead) / limit * 0.95));
        Assert.That(receiver.ArrivalsFrom(s.Id), Is.EqualTo(Enumerable.Range(0, messages)));
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }
}
