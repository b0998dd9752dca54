using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace Overlay.Observer.Client.Tests;

/// <summary>
/// The observer keeps time by <see cref="ObserverOptions.TimeProvider"/>: its model's timestamps are that clock's,
/// and it polls for status only when that clock says the interval has passed.
/// </summary>
[Category("Integration")]
public class ObserverClockTests
{
    [Test, CancelAfter(60_000)]
    public async Task StatusPolls_AndTimestamps_FollowTheObserversClock()
    {
        // An interval no real clock reaches within the test: the poll can only come from the fake clock.
        var interval = TimeSpan.FromHours(1);
        var clock = new FakeTimeProvider();
        var start = clock.GetUtcNow();
        await using var observer = new OverlayObserver(new ObserverOptions { StatusInterval = interval, TimeProvider = clock });
        await observer.StartAsync();
        await using var node = new OverlayNode(new OverlayNodeOptions { ObserverEndPoint = observer.EndPoint }, new Recorder());
        await node.StartAsync();

        Assert.That(await Eventually.TrueAsync(() => observer.GetNode(node.Id) is not null, TimeSpan.FromSeconds(20)), Is.True, "the node registered");
        var registered = observer.GetNode(node.Id)!;
        Assert.That(registered.LastSeen, Is.EqualTo(start), "registered at the observer's (virtual) time");
        Assert.That(registered.Status, Is.Null, "no status before the first poll is due");

        clock.Advance(interval);
        Assert.That(await Eventually.TrueAsync(() => observer.GetNode(node.Id)?.Status is not null, TimeSpan.FromSeconds(20)), Is.True,
            "the poll came when the observer's clock reached the interval");
        Assert.That(observer.GetNode(node.Id)!.LastSeen, Is.EqualTo(start + interval), "the report is stamped with the observer's clock");
        await node.StopAsync();
    }
}
