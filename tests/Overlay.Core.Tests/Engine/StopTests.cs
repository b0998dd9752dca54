using System.Diagnostics;
using NUnit.Framework;
using Overlay.Core.Tests.Support;

namespace Overlay.Core.Tests.Engine;

/// <summary>StopAsync drains outbound buffers for up to StopTimeout; TerminateAsync drops them at once.</summary>
[Category("Integration")]
public class StopTests
{
    private const int Count = 40;
    private const int PayloadLength = 5 * 1024;
    private const double Frame = PayloadLength + 24;

    [Test, CancelAfter(60_000)]
    public async Task StopAsync_DrainsWhatIsBuffered_BeforeClosing()
    {
        await using var overlay = new TestOverlay();
        var sender = new Burster();
        var a = await overlay.AddAsync(sender, o =>
        {
            o.BufferCapacity = Count;
            o.StopTimeout = TimeSpan.FromSeconds(30);
        });
        var receiver = new RelayAlgorithm();
        var b = await overlay.AddAsync(receiver);
        const double Rate = 100_000;
        a.SetLinkBandwidth(b.Id, LinkDirection.Downstream, Rate);

        var clock = Stopwatch.StartNew();
        await a.InvokeAsync(() => sender.SendBurst(b.Id, Count, PayloadLength));
        await ConnectedAsync(a, b);
        await a.StopAsync();
        var stopped = clock.Elapsed;

        // The link lets one burst through at once and the rest at its rate: the stop cannot have been quicker.
        var drain = TimeSpan.FromSeconds(((Count * Frame) - (16 * 1024) - Frame) / Rate);
        TestContext.Out.WriteLine($"stopped after {stopped.TotalMilliseconds:F0} ms (draining takes at least {drain.TotalMilliseconds:F0} ms)");
        Assert.That(stopped, Is.GreaterThanOrEqualTo(drain), "the stop waited for the buffer to drain");
        Assert.That(await Eventually.TrueAsync(() => receiver.Delivered == Count, TimeSpan.FromSeconds(20)), Is.True, $"B got {receiver.Delivered} of {Count}");
        Assert.That(receiver.ArrivalsFrom(a.Id), Is.EqualTo(Enumerable.Range(0, Count)));
        Assert.That(receiver.Corrupt, Is.Zero);
        Assert.That(a.GetStatistics().MessagesLost, Is.Zero);
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(60_000)]
    public async Task StopAsync_RightAfterTheFirstSend_LetsTheLinkConnectAndDrain()
    {
        await using var overlay = new TestOverlay();
        var sender = new Burster();
        var a = await overlay.AddAsync(sender, o =>
        {
            o.BufferCapacity = Count;
            o.StopTimeout = TimeSpan.FromSeconds(30);
        });
        var receiver = new RelayAlgorithm();
        var b = await overlay.AddAsync(receiver);

        // No wait for the link: it is still connecting when the stop begins, and must be allowed to finish.
        await a.InvokeAsync(() => sender.SendBurst(b.Id, Count, PayloadLength));
        await a.StopAsync();

        Assert.That(await Eventually.TrueAsync(() => receiver.Delivered == Count, TimeSpan.FromSeconds(20)), Is.True, $"B got {receiver.Delivered} of {Count}");
        Assert.That(receiver.ArrivalsFrom(a.Id), Is.EqualTo(Enumerable.Range(0, Count)));
        Assert.That(a.GetStatistics().MessagesLost, Is.Zero);
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(60_000)]
    public async Task StopAsync_GivesUpAtStopTimeout_AndCountsWhatItDropped()
    {
        await using var overlay = new TestOverlay();
        var sender = new Burster();
        var a = await overlay.AddAsync(sender, o =>
        {
            o.BufferCapacity = Count;
            o.StopTimeout = TimeSpan.FromMilliseconds(500);
        });
        var receiver = new RelayAlgorithm();
        var b = await overlay.AddAsync(receiver);
        // 40 × 5 KB at 10 KB/s would take 20 s to drain.
        a.SetLinkBandwidth(b.Id, LinkDirection.Downstream, 10_000);

        await a.InvokeAsync(() => sender.SendBurst(b.Id, Count, PayloadLength));
        await ConnectedAsync(a, b);
        var clock = Stopwatch.StartNew();
        await a.StopAsync();
        var stopped = clock.Elapsed;
        TestContext.Out.WriteLine($"stopped after {stopped.TotalMilliseconds:F0} ms; B got {receiver.Delivered}, A lost {a.GetStatistics().MessagesLost}");

        // Generous for a loaded machine, yet far below the 20 s a full drain would take.
        Assert.That(stopped, Is.LessThan(TimeSpan.FromSeconds(10)), "the stop did not give up at its time-out");
        await AssertEveryMessageDeliveredOrCountedLostAsync(a, receiver);
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(60_000)]
    public async Task TerminateAsync_DropsWhatIsBuffered_AtOnce()
    {
        await using var overlay = new TestOverlay();
        var sender = new Burster();
        var a = await overlay.AddAsync(sender, o =>
        {
            o.BufferCapacity = Count;
            o.StopTimeout = TimeSpan.FromSeconds(30); // would be waited for by a graceful stop
        });
        var receiver = new RelayAlgorithm();
        var b = await overlay.AddAsync(receiver);
        a.SetLinkBandwidth(b.Id, LinkDirection.Downstream, 10_000);

        await a.InvokeAsync(() => sender.SendBurst(b.Id, Count, PayloadLength));
        await ConnectedAsync(a, b);
        var clock = Stopwatch.StartNew();
        await a.TerminateAsync();
        var terminated = clock.Elapsed;
        TestContext.Out.WriteLine($"terminated after {terminated.TotalMilliseconds:F0} ms; B got {receiver.Delivered}, A lost {a.GetStatistics().MessagesLost}");

        Assert.That(terminated, Is.LessThan(TimeSpan.FromSeconds(10)), "terminate waited for the buffer");
        await AssertEveryMessageDeliveredOrCountedLostAsync(a, receiver);
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    // A link still opening when the stop begins is cut off with the listener, so these tests stop an open link.
    private static async Task ConnectedAsync(OverlayNode a, OverlayNode b) =>
        Assert.That(await Eventually.TrueAsync(() => a.GetStatistics().Find(b.Id, LinkDirection.Downstream)?.IsConnected == true, TimeSpan.FromSeconds(10)), Is.True, "A's link to B opened");

    // The messages that did not reach B are exactly the ones A counted lost, and some were: at 10 KB/s the 40 messages
    // need 20 s, far more than the stop allowed.
    private static async Task AssertEveryMessageDeliveredOrCountedLostAsync(OverlayNode a, RelayAlgorithm receiver)
    {
        var lost = a.GetStatistics().MessagesLost;
        Assert.That(await Eventually.TrueAsync(() => receiver.Delivered + lost == Count, TimeSpan.FromSeconds(10)), Is.True, $"B got {receiver.Delivered}, A counted {lost} lost, of {Count}");
        Assert.That(receiver.ArrivalsFrom(a.Id), Is.EqualTo(Enumerable.Range(0, (int)receiver.Delivered)), "what arrived came in order");
        Assert.That(lost, Is.GreaterThan(0));
    }
}
