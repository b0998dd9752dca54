using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Overlay.Core.Tests.Support;
using Overlay.Emulation;
using FsProperty = FsCheck.NUnit.PropertyAttribute;

namespace Overlay.Core.Tests.Emulation;

public class TokenBucketTests
{
    // A sender that, for each (gap, size), waits `gap`, reserves `size`, and sends when the bucket says so.
    // Whatever the sends, rate and burst: over every window, from one reservation to a later send, the bytes sent
    // never exceed rate·window + burst (a bucket that let credit pile up past its burst during idle gaps fails here).
    [FsProperty(MaxTest = 500, Arbitrary = [typeof(Generators)])]
    public Property ReleasedBytes_NeverExceed_RateTimesTimePlusBurst(SendPattern pattern)
    {
        var clock = new ManualClock();
        var bucket = new TokenBucket(clock, pattern.Rate, pattern.Burst);
        var count = pattern.Sends.Length;
        var reservedAt = new long[count];
        var sentAt = new long[count];
        var sentBefore = new double[count + 1];
        for (var i = 0; i < count; i++)
        {
            var (gap, size) = pattern.Sends[i];
            clock.Advance(TimeSpan.FromMilliseconds(gap));
            reservedAt[i] = clock.Now;
            clock.Advance(bucket.Reserve(size));
            sentAt[i] = clock.Now;
            sentBefore[i + 1] = sentBefore[i] + size;
        }

        // A wait is a TimeSpan, whole 100 ns ticks, and the test clock counts whole nanoseconds: each may end a wait up
        // to one unit early, which lets that many bytes' worth of rate through early (at 100 MB/s, 10 bytes). The
        // bucket keeps the remainder as debt, so the error never accumulates past one send.
        var quantum = 1 + (pattern.Rate * (100e-9 + 1e-9));
        var ok = true;
        for (var first = 0; ok && first < count; first++)
        {
            for (var last = first; ok && last < count; last++)
            {
                var window = (sentAt[last] - reservedAt[first]) / 1e9;
                ok = sentBefore[last + 1] - sentBefore[first] <= (pattern.Rate * window) + pattern.Burst + quantum;
            }
        }

        var largest = pattern.Sends.Length == 0 ? 0 : pattern.Sends.Max(s => s.Size);
        return ok.ToProperty()
            .Classify(pattern.Rate >= 10_000_000, "rate ≥ 10 MB/s")
            .Classify(pattern.Rate < 100_000, "rate < 100 KB/s")
            .Classify(largest > pattern.Burst, "a send larger than the burst (debt)")
            .Classify(largest >= 16 * 1024, "a send ≥ 16 KiB");
    }

    // Once the initial burst is spent, a sender that always has the next message ready gets the full rate: the
    // bucket never holds back more than 5 %. (Measured after the burst, which would otherwise hide a slow refill.)
    [FsProperty(MaxTest = 300, Arbitrary = [typeof(Generators)])]
    public Property SaturatedBucket_ReleasesAtLeast95PercentOfRate(SaturatingSender sender)
    {
        var clock = new ManualClock();
        var bucket = new TokenBucket(clock, sender.Rate);
        clock.Advance(bucket.Reserve((long)Math.Ceiling(bucket.Burst)));
        var start = clock.Now;
        var released = 0.0;
        for (var i = 0; i < 200; i++)
        {
            clock.Advance(bucket.Reserve(sender.MessageBytes));
            released += sender.MessageBytes;
        }

        var ok = released >= 0.95 * sender.Rate * ((clock.Now - start) / 1e9);
        return ok.ToProperty()
            .Classify(sender.Rate >= 10_000_000, "rate ≥ 10 MB/s")
            .Classify(sender.Rate < 100_000, "rate < 100 KB/s")
            .Classify(sender.MessageBytes >= 16 * 1024, "message ≥ 16 KiB")
            .Classify(sender.MessageBytes < 64, "message < 64 B");
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

    /// <summary>A rate (bytes/s), a burst and a list of (gap in ms, bytes) sends.</summary>
    public sealed record SendPattern(double Rate, double Burst, (int Gap, int Size)[] Sends)
    {
        public override string ToString() => $"rate {Rate:F0} B/s, burst {Burst:F0} B, sends [{string.Join(", ", Sends)}]";
    }

    /// <summary>A rate (bytes/s) and the size of every message.</summary>
    public sealed record SaturatingSender(double Rate, int MessageBytes);

    /// <summary>
    /// The domain the tests are written for: rates 1 KB/s to 100 MB/s, bursts 1 B to 1 MB, sends up to 64 KiB and up to
    /// 200 of them, gaps up to 255 ms; spread over the powers of two so the small and the large cases both occur.
    /// </summary>
    public static class Generators
    {
        private static readonly Gen<double> Rate = Spread.LogUniform(1, 100_000).Select(kb => 1000.0 * kb);

        public static Arbitrary<SendPattern> SendPatterns() =>
            (from rate in Rate
             from burst in Spread.LogUniform(1, 1_000_000)
             from count in Gen.Choose(0, 200)
             from sends in Gen.ArrayOf(Gen.Zip(Gen.Choose(0, 255), Spread.LogUniform(0, 65_536)), count)
             select new SendPattern(rate, burst, sends)).ToArbitrary();

        public static Arbitrary<SaturatingSender> SaturatingSenders() =>
            Gen.Zip(Rate, Spread.LogUniform(1, 65_536), (rate, size) => new SaturatingSender(rate, size)).ToArbitrary();
    }
}
