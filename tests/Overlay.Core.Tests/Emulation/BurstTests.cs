using NUnit.Framework;
using Overlay.Core.Tests.Support;

namespace Overlay.Core.Tests.Emulation;

/// <summary>
/// <c>burstBytes</c> is how much a limited link lets through at once after an idle spell. With the node's clock
/// stopped no tokens refill, so exactly the burst is available: what passes is decided by it alone, not by timing.
/// </summary>
[Category("Integration")]
public class BurstTests
{
    private const int PayloadLength = 5 * 1024;
    private const int Frame = PayloadLength + 24;

    [Test, CancelAfter(60_000)]
    public async Task BurstBytes_LetsThatMuchThroughAtOnce_TheDefaultBurstFarLess()
    {
        var clock = new ManualClock(); // never moves: buckets start full and never refill
        await using var overlay = new TestOverlay();
        var sender = new Burster();
        var a = await overlay.AddAsync(sender, o =>
        {
            o.TimeProvider = clock;
            o.BufferCapacity = 64;
        });
        var large = new RelayAlgorithm();
        var small = new RelayAlgorithm();
        var b = await overlay.AddAsync(large);
        var c = await overlay.AddAsync(small);
        const int Burst = 100_000;
        a.SetLinkBandwidth(b.Id, LinkDirection.Downstream, 1000, burstBytes: Burst);
        a.SetLinkBandwidth(c.Id, LinkDirection.Downstream, 1000); // default burst: 16 KiB

        // 15 messages (77 KB) fit in B's burst: at 1 KB/s they would otherwise take more than a minute.
        await a.InvokeAsync(() =>
        {
            sender.SendBurst(b.Id, 15, PayloadLength);
            sender.SendBurst(c.Id, 15, PayloadLength);
        });
        Assert.That(await Eventually.TrueAsync(() => large.Delivered == 15, TimeSpan.FromSeconds(30)), Is.True, $"B got {large.Delivered} of 15");

        // Both links had the same time; C's default burst holds three of these messages.
        Assert.That(small.Delivered, Is.LessThanOrEqualTo((16 * 1024) / Frame), "C got more than its default burst");

        // More than the burst never passes: 10 more messages would bring B's total to 128 KB, over the 100 KB burst.
        await a.InvokeAsync(() => sender.SendBurst(b.Id, 10, PayloadLength));
        await Task.Delay(1000); // a violation would show now; waiting cannot make a correct run fail
        Assert.That(large.Delivered, Is.InRange(15, Burst / Frame), "B got more than the burst");
        await a.TerminateAsync(); // the stopped clock would never let a graceful stop drain these
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }
}
