using NUnit.Framework;
using Overlay.Core.Tests.Support;
using Overlay.Emulation;

namespace Overlay.Core.Tests.Emulation;

/// <summary>A bucket tells its node of a change only when its rate, burst or limit flag really changed.</summary>
public class LimitChangeCountTests
{
    [Test]
    public void SetRate_CountsOnlyRealChanges()
    {
        var changes = new LimitChanges();
        var bucket = new TokenBucket(new ManualClock()) { Changes = changes };

        bucket.SetRate(null);
        Assert.That(changes.Count, Is.Zero, "removing the limit of an unlimited bucket changes nothing");

        bucket.SetRate(1000);
        Assert.That(changes.Count, Is.EqualTo(1), "a limit set");
        bucket.SetRate(1000);
        Assert.That(changes.Count, Is.EqualTo(1), "the same rate and default burst again");

        bucket.SetRate(1000, 50_000);
        Assert.That(changes.Count, Is.EqualTo(2), "another burst");
        bucket.SetRate(2000, 50_000);
        Assert.That(changes.Count, Is.EqualTo(3), "another rate");

        bucket.SetRate(null);
        Assert.That(changes.Count, Is.EqualTo(4), "the limit removed");
        bucket.SetRate(null);
        Assert.That(changes.Count, Is.EqualTo(4), "removed again");
    }
}
