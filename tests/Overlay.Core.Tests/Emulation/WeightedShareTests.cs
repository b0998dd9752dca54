using NUnit.Framework;
using Overlay.Core.Tests.Support;
using Overlay.Emulation;

namespace Overlay.Core.Tests.Emulation;

/// <summary>
/// Weighted shares of one token bucket, in simulated time: backlogged users get the rate in proportion to their
/// weights, an idle one's part goes to the others, and plain reservations are one more share.
/// </summary>
public class WeightedShareTests
{
    private const double Rate = 100_000;
    private const long Slice = 5_000; // what one read takes: 50 ms of the rate

    [ThreadStatic]
    private static double s_gap;

    // A receive loop reads and reserves again a moment after its wait ends: at once, or late on a loaded machine.
    [TestCase(0.0005)]
    [TestCase(0.010)]
    public void TwoBackloggedShares_Weights1And3_GetAQuarterAndThreeQuarters_ThenTheIdleOnesPartIsReclaimed(double gapSeconds)
    {
        s_gap = gapSeconds;
        var clock = new ManualClock();
        var bucket = new TokenBucket(clock, Rate);
        var light = bucket.AddShare(1);
        var heavy = bucket.AddShare(3);
        var flows = new[] { new Flow(light), new Flow(heavy) };

        // Past the start-up burst, then a window in which both are backlogged.
        Run(clock, bucket, flows, TimeSpan.FromSeconds(5));
        var rates = Run(clock, bucket, flows, TimeSpan.FromSeconds(20));
        TestContext.Out.WriteLine($"weights 1:3 → {rates[0]:F0} and {rates[1]:F0} B/s");
        Assert.That(rates[0] + rates[1], Is.EqualTo(Rate).Within(2).Percent, "the whole rate, no more");
        Assert.That(rates[0], Is.EqualTo(Rate / 4).Within(3).Percent);
        Assert.That(rates[1], Is.EqualTo(Rate * 3 / 4).Within(3).Percent);

        // The heavy one goes idle: the light one gets everything (work-conserving).
        flows[1].Idle = true;
        Run(clock, bucket, flows, TimeSpan.FromSeconds(1));
        rates = Run(clock, bucket, flows, TimeSpan.FromSeconds(10));
        TestContext.Out.WriteLine($"heavy idle → light {rates[0]:F0} B/s");
        Assert.That(rates[0], Is.EqualTo(Rate).Within(2).Percent);

        // Weights changed at run time apply from then on.
        flows[1].Idle = false;
        bucket.SetShareWeight(light, 2);
        bucket.SetShareWeight(heavy, 2);
        Run(clock, bucket, flows, TimeSpan.FromSeconds(2));
        rates = Run(clock, bucket, flows, TimeSpan.FromSeconds(20));
        TestContext.Out.WriteLine($"weights 2:2 → {rates[0]:F0} and {rates[1]:F0} B/s");
        Assert.That(rates[0], Is.EqualTo(Rate / 2).Within(3).Percent);
        Assert.That(rates[1], Is.EqualTo(Rate / 2).Within(3).Percent);
    }

    [TestCase(0.0005)]
    [TestCase(0.010)]
    public void ThreeShares_AndPlainReservations_ShareByWeight_PlainCountingAsWeightOne(double gapSeconds)
    {
        s_gap = gapSeconds;
        var clock = new ManualClock();
        var bucket = new TokenBucket(clock, Rate);
        var flows = new[] { new Flow(bucket.AddShare(1)), new Flow(bucket.AddShare(2)), new Flow(bucket.AddShare(4)), new Flow(null) };
        Run(clock, bucket, flows, TimeSpan.FromSeconds(5));
        var rates = Run(clock, bucket, flows, TimeSpan.FromSeconds(30));
        TestContext.Out.WriteLine($"weights 1:2:4 and plain → {string.Join(", ", rates.Select(r => r.ToString("F0")))} B/s");
        Assert.That(rates.Sum(), Is.EqualTo(Rate).Within(2).Percent);
        Assert.That(rates[0], Is.EqualTo(Rate * 1 / 8).Within(4).Percent);
        Assert.That(rates[1], Is.EqualTo(Rate * 2 / 8).Within(4).Percent);
        Assert.That(rates[2], Is.EqualTo(Rate * 4 / 8).Within(4).Percent);
        Assert.That(rates[3], Is.EqualTo(Rate * 1 / 8).Within(4).Percent, "plain reservations: one share of weight 1");
    }

    [Test]
    public void RemovedShare_ItsDebtIsForgiven_AndTheOthersGetItsPartAtOnce()
    {
        var clock = new ManualClock();
        var bucket = new TokenBucket(clock, Rate, burstBytes: 1);
        var stays = bucket.AddShare(1);
        var goes = bucket.AddShare(1);
        bucket.Reserve(1, stays); // the one byte of credit
        Assert.That(bucket.Reserve(50_000, goes), Is.EqualTo(TimeSpan.FromSeconds(0.5)).Within(TimeSpan.FromMilliseconds(1)), "alone in debt: the whole rate");
        // Both in debt: the second waits for its own 50 KB at half the rate while the first one's debt lasts, less the
        // lead (20 ms of its half: 1 KB) it is woken early by.
        Assert.That(bucket.Reserve(50_000, stays), Is.EqualTo(TimeSpan.FromSeconds(0.98)).Within(TimeSpan.FromMilliseconds(1)));
        bucket.RemoveShare(goes);
        Assert.That(bucket.Reserve(1, stays), Is.EqualTo(TimeSpan.FromSeconds(0.5)).Within(TimeSpan.FromMilliseconds(1)), "alone again: its 50 KB at the whole rate");
        Assert.Throws<ArgumentOutOfRangeException>(() => bucket.AddShare(0));
    }

    /// <summary>
    /// Every flow reserves a slice, waits what it is told, and reserves again (a backlogged receive loop), unless idle.
    /// Returns each flow's bytes per second over <paramref name="duration"/>.
    /// </summary>
    private static double[] Run(ManualClock clock, TokenBucket bucket, Flow[] flows, TimeSpan duration)
    {
        var end = clock.Now + (long)(duration.TotalSeconds * clock.TimestampFrequency);
        var start = clock.Now;
        var bytes = new long[flows.Length];
        foreach (var flow in flows)
            flow.NextAt = Math.Max(flow.NextAt, start);
        while (true)
        {
            var next = -1;
            for (var i = 0; i < flows.Length; i++)
            {
                if (!flows[i].Idle && (next < 0 || flows[i].NextAt < flows[next].NextAt))
                    next = i;
            }

            if (next < 0 || flows[next].NextAt >= end)
                break;
            clock.Now = flows[next].NextAt;
            var wait = flows[next].Share is { } share ? bucket.Reserve(Slice, share) : bucket.Reserve(Slice);
            bytes[next] += Slice;
            // A receive loop takes a little while to read again after its wait.
            flows[next].NextAt = clock.Now + (long)((wait.TotalSeconds + s_gap) * clock.TimestampFrequency);
        }

        clock.Now = end;
        return [.. bytes.Select(b => b / duration.TotalSeconds)];
    }

    private sealed class Flow(BucketShare? share)
    {
        public BucketShare? Share { get; } = share;

        public long NextAt { get; set; }

        public bool Idle { get; set; }
    }
}
