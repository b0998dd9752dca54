using FsCheck;
using NUnit.Framework;
using Overlay.Core.Tests.Support;
using Overlay.Emulation;
using FsProperty = FsCheck.NUnit.PropertyAttribute;

namespace Overlay.Core.Tests.Emulation;

public class TokenBucketTests
{
    // A sender that, for each (gap, size), waits `gap`, reserves `size`, and sends when the bucket says so.
    // Whatever the sends, rate and burst: bytes released by time t never exceed rate·t + burst.
    [FsProperty(MaxTest = 500)]
    public bool ReleasedBytes_NeverExceed_RateTimesTimePlusBurst(PositiveInt rateKb, PositiveInt burstBytes, (byte Gap, ushort Size)[] sends)
    {
        var clock = new ManualClock();
        var rate = 1000.0 * (1 + (rateKb.Get % 100_000));
        var burst = (double)(1 + (burstBytes.Get % 1_000_000));
        var bucket = new TokenBucket(clock, rate, burst);
        var start = clock.Now;
        var released = 0.0;
        foreach (var (gap, size) in sends)
        {
            clock.Advance(TimeSpan.FromMilliseconds(gap));
            var wait = bucket.Reserve(size);
            clock.Advance(wait);
            released += size;
            var elapsed = (clock.Now - start) / 1e9;
            if (released > (rate * elapsed) + burst + 1)
                return false;
        }

        return true;
    }

    [FsProperty(MaxTest = 200)]
    public bool SaturatedBucket_ReleasesAtLeast95PercentOfRate(PositiveInt rateKb, PositiveInt messageBytes)
    {
        var clock = new ManualClock();
        var rate = 1000.0 * (1 + (rateKb.Get % 100_000));
        var size = 1 + (messageBytes.Get % 65_536);
        var bucket = new TokenBucket(clock, rate);
        var start = clock.Now;
        var released = 0.0;
        var duration = Math.Max(1.0, 200.0 * size / rate); // long enough for 200 messages
        while ((clock.Now - start) / 1e9 < duration)
        {
            clock.Advance(bucket.Reserve(size));
            released += size;
        }

        return released >= 0.95 * rate * ((clock.Now - start) / 1e9);
    }

    [Test]
    public void SetRate_Null_RemovesLimit()
    {
        var bucket = new TokenBucket(new ManualClock(), 1000);
        Assert.That(bucket.IsUnlimited, Is.False);
        bucket.SetRate(null);
        Assert.That(bucket.IsUnlimited, Is.True);
        Assert.That(bucket.Reserve(1_000_000), Is.EqualTo(TimeSpan.Zero));
    }

    [TestCase(0.0)]
    [TestCase(-1.0)]
    [TestCase(double.NaN)]
    [TestCase(double.PositiveInfinity)]
    [TestCase(double.NegativeInfinity)]
    public void SetRate_ZeroNegativeNaNOrInfinite_ThrowsAndKeepsTheLimit(double rate)
    {
        var bucket = new TokenBucket(new ManualClock(), 1000);
        Assert.Throws<ArgumentOutOfRangeException>(() => bucket.SetRate(rate));
        Assert.Throws<ArgumentOutOfRangeException>(() => bucket.SetRate(1000, burstBytes: rate));
        Assert.That(bucket.IsUnlimited, Is.False);
        Assert.That(bucket.Rate, Is.EqualTo(1000));
    }

    [Test]
    public void Reserve_IntoDebt_WaitsExactlyTheDeficit()
    {
        var clock = new ManualClock();
        var bucket = new TokenBucket(clock, 1000, 500);
        Assert.That(bucket.Reserve(500), Is.EqualTo(TimeSpan.Zero));
        Assert.That(bucket.Reserve(250).TotalMilliseconds, Is.EqualTo(250).Within(0.001));
        clock.Advance(TimeSpan.FromMilliseconds(250));
        Assert.That(bucket.Reserve(100).TotalMilliseconds, Is.EqualTo(100).Within(0.001));
    }
}
