using NUnit.Framework;
using Overlay.Core.Tests.Support;
using Overlay.Emulation;
using Overlay.Engine;

namespace Overlay.Core.Tests.Engine;

public class GrantSliceTests
{
    [Test]
    public void NoLimit_GivesAnUnboundedSlice()
    {
        var (_, slice, _, _, _) = Create();
        Assert.That(slice.Bytes, Is.EqualTo(double.PositiveInfinity));
    }

    [Test]
    public void LimitSetAtRunTime_AppliesAtTheNextCall_TightestBucketWins()
    {
        var (_, slice, link, node, total) = Create();
        Assert.That(slice.Bytes, Is.EqualTo(double.PositiveInfinity));

        // 400 KB/s: 50 ms is 20,000 bytes, under the 20,480-byte burst.
        node.SetRate(400_000);
        Assert.That(slice.Bytes, Is.EqualTo(node.SliceBytes(DownstreamLink.GrantSeconds)).Within(1e-9));
        link.SetRate(200_000);
        Assert.That(slice.Bytes, Is.EqualTo(link.SliceBytes(DownstreamLink.GrantSeconds)).Within(1e-9));
        total.SetRate(100_000);
        Assert.That(slice.Bytes, Is.EqualTo(total.SliceBytes(DownstreamLink.GrantSeconds)).Within(1e-9));

        link.SetRate(null);
        node.SetRate(null);
        total.SetRate(null);
        Assert.That(slice.Bytes, Is.EqualTo(double.PositiveInfinity));
    }

    [Test]
    public void WithoutAChangeNoted_TheSliceIsNotWorkedOutAgain()
    {
        // A bucket that does not tell the counter: its change shows only once the counter moves, which proves the
        // slice is kept between calls instead of asking every bucket (each under its lock) every time.
        var clock = new ManualClock();
        var limits = new LimitChanges();
        var quiet = new TokenBucket(clock);
        var node = new TokenBucket(clock) { Changes = limits };
        var slice = new GrantSlice(limits, quiet, node, new TokenBucket(clock) { Changes = limits });
        Assert.That(slice.Bytes, Is.EqualTo(double.PositiveInfinity));

        quiet.SetRate(100_000);
        Assert.That(slice.Bytes, Is.EqualTo(double.PositiveInfinity), "the slice was worked out again without a change noted");

        limits.Note();
        Assert.That(slice.Bytes, Is.EqualTo(quiet.SliceBytes(DownstreamLink.GrantSeconds)).Within(1e-9));
    }

    private static (LimitChanges Limits, GrantSlice Slice, TokenBucket Link, TokenBucket Node, TokenBucket Total) Create()
    {
        var clock = new ManualClock();
        var limits = new LimitChanges();
        var link = new TokenBucket(clock) { Changes = limits };
        var node = new TokenBucket(clock) { Changes = limits };
        var total = new TokenBucket(clock) { Changes = limits };
        return (limits, new GrantSlice(limits, link, node, total), link, node, total);
    }
}
