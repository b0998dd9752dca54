using NUnit.Framework;
using Overlay.Wire;

namespace Overlay.Core.Tests.Failures;

/// <summary>Two real nodes of different overlays never link: the sender is told, the receiver counts the refusal.</summary>
[Category("Integration")]
public class OverlayIdMismatchTests
{
    [Test, CancelAfter(30_000)]
    public async Task NodeOfAnotherOverlay_IsRefused_TheSenderGetsSendFailed()
    {
        await using var overlay = new TestOverlay();
        var sender = new RelayAlgorithm();
        var a = await overlay.AddAsync(sender, o => o.OverlayId = 1);
        var receiver = new RelayAlgorithm();
        var b = await overlay.AddAsync(receiver, o => o.OverlayId = 2);
        var c = await overlay.AddAsync(new RelayAlgorithm(), o => o.OverlayId = 1);
        sender.Children.Add(b.Id);
        sender.Children.Add(c.Id);
        await a.DeploySourceAsync(1, new SourceOptions { PayloadLength = 100, MessageLimit = 50 });

        Assert.That(
            await Eventually.TrueAsync(() => sender.Failures.Any(f => f.Peer == b.Id && f.Type == MessageTypes.SendFailed), TimeSpan.FromSeconds(20)),
            Is.True,
            "A was told its sends to B failed");
        Assert.That(
            await Eventually.TrueAsync(() => b.GetStatistics().RejectedConnections.GetValueOrDefault(WireError.WrongOverlay) >= 1, TimeSpan.FromSeconds(10)),
            Is.True,
            "B counted the refusal: " + string.Join(", ", b.GetStatistics().RejectedConnections));
        Assert.That(await Eventually.TrueAsync(() => c.GetStatistics().Upstreams.Count == 1, TimeSpan.FromSeconds(10)), Is.True, "a node of the same overlay connects");
        Assert.That(b.GetStatistics().Upstreams, Is.Empty);
        Assert.That(receiver.Delivered, Is.Zero);
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }
}
