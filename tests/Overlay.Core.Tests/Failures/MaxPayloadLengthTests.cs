using NUnit.Framework;
using Overlay.Core.Tests.Support;
using Overlay.Wire;

namespace Overlay.Core.Tests.Failures;

/// <summary>A frame larger than the receiver's MaxPayloadLength closes that link with a reason; what came before it arrived.</summary>
[Category("Integration")]
public class MaxPayloadLengthTests
{
    [Test, CancelAfter(30_000)]
    public async Task PayloadAboveTheReceiversMaximum_ClosesTheLink_AtTheLimitItPasses()
    {
        await using var overlay = new TestOverlay();
        var sender = new Burster();
        var a = await overlay.AddAsync(sender);
        var receiver = new RelayAlgorithm();
        var b = await overlay.AddAsync(receiver, o => o.MaxPayloadLength = 1000);

        await a.InvokeAsync(() => sender.SendBurst(b.Id, 5, 1000)); // exactly the maximum: fine
        Assert.That(await Eventually.TrueAsync(() => receiver.Delivered == 5, TimeSpan.FromSeconds(10)), Is.True);
        await a.InvokeAsync(() => sender.SendBurst(b.Id, 1, 1001)); // one byte over

        Assert.That(
            await Eventually.TrueAsync(() => b.GetStatistics().LinksClosedByError.GetValueOrDefault(WireError.OversizedPayload) == 1, TimeSpan.FromSeconds(10)),
            Is.True,
            "B closed the link: " + string.Join(", ", b.GetStatistics().LinksClosedByError));
        Assert.That(await Eventually.TrueAsync(() => sender.Failures.Any(f => f.Peer == b.Id && f.Type == MessageTypes.BrokenDownstream), TimeSpan.FromSeconds(10)), Is.True, "A saw the link break");
        Assert.That(receiver.Delivered, Is.EqualTo(5));
        Assert.That(receiver.Corrupt, Is.Zero);
        Assert.That(b.IsRunning, Is.True);
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }
}
