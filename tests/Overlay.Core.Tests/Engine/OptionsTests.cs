using NUnit.Framework;

namespace Overlay.Core.Tests.Engine;

/// <summary>A node copies its options when it is created: later edits of the options object change nothing.</summary>
[Category("Integration")]
public class OptionsTests
{
    [Test, CancelAfter(30_000)]
    public async Task EditsAfterConstruction_HaveNoEffect()
    {
        await using var overlay = new TestOverlay();
        var receiver = new RelayAlgorithm();
        var b = await overlay.AddAsync(receiver);
        var options = new OverlayNodeOptions { Pool = overlay.Pool, BufferCapacity = 7, MaxPayloadLength = 2000, OverlayId = 0 };
        var sender = new RelayAlgorithm();
        await using var a = new OverlayNode(options, sender);

        // Every edit below would change what A does if A read its options later.
        options.BufferCapacity = 99;
        options.OverlayId = 5; // B is in overlay 0: A could no longer connect to it
        options.MaxPayloadLength = 10;
        options.UploadBandwidth = 1;
        options.Port = 1;
        await a.StartAsync();
        Assert.That(a.BufferCapacity, Is.EqualTo(7));
        Assert.That(a.Id.Port, Is.Not.EqualTo(1));
        Assert.That(a.GetBandwidth(Overlay.Emulation.BandwidthScope.Upload), Is.Null);

        sender.Children.Add(b.Id);
        await a.DeploySourceAsync(1, new SourceOptions { PayloadLength = 1000, MessageLimit = 200 });
        Assert.That(await Eventually.TrueAsync(() => receiver.Delivered == 200, TimeSpan.FromSeconds(20)), Is.True, $"B got {receiver.Delivered} of 200");
        Assert.That(a.GetStatistics().Find(b.Id, LinkDirection.Downstream)?.BufferCapacity, Is.EqualTo(7));
        await a.StopAsync();
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test]
    public void OptionsThatCannotWork_AreRefusedWhenTheNodeIsCreated()
    {
        Assert.That(() => new OverlayNode(new OverlayNodeOptions { BufferCapacity = 0 }, new RelayAlgorithm()), Throws.InstanceOf<ArgumentException>());
        Assert.That(() => new OverlayNode(new OverlayNodeOptions { Port = 70_000 }, new RelayAlgorithm()), Throws.InstanceOf<ArgumentException>());
        Assert.That(() => new OverlayNode(new OverlayNodeOptions { MeasurementInterval = TimeSpan.Zero }, new RelayAlgorithm()), Throws.InstanceOf<ArgumentException>());
        Assert.That(() => new OverlayNode(new OverlayNodeOptions { FailureTimeout = TimeSpan.FromMilliseconds(10) }, new RelayAlgorithm()), Throws.InstanceOf<ArgumentException>());
        Assert.That(() => new OverlayNode(new OverlayNodeOptions { ConnectRetries = -1 }, new RelayAlgorithm()), Throws.InstanceOf<ArgumentException>());
    }
}
