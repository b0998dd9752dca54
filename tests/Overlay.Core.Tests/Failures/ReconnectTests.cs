using NUnit.Framework;

namespace Overlay.Core.Tests.Failures;

[Category("Integration")]
public class ReconnectTests
{
    [Test, CancelAfter(60_000)]
    public async Task SendAfterFailure_ReconnectsWithBackOff_WhenThePeerComesBack()
    {
        await using var overlay = new TestOverlay();
        var sender = new RelayAlgorithm();
        var a = await overlay.AddAsync(sender);
        var first = new RelayAlgorithm();
        var b = await overlay.AddAsync(first);
        var port = b.Id.Port;
        sender.Children.Add(b.Id);
        await a.DeploySourceAsync(1, new SourceOptions { PayloadLength = 500 });
        Assert.That(await Eventually.TrueAsync(() => first.Delivered > 100, TimeSpan.FromSeconds(20)), Is.True);

        await b.TerminateAsync();
        Assert.That(await Eventually.TrueAsync(() => sender.Failures.Any(f => f.Type == MessageTypes.BrokenDownstream), TimeSpan.FromSeconds(10)), Is.True);

        // Sending again starts connecting at once; the peer is back only ~150 ms later, so only a retry can succeed.
        var peer = b.Id;
        await a.InvokeAsync(() => sender.Children.Add(peer));
        await Task.Delay(150);
        var second = new RelayAlgorithm();
        await overlay.AddAsync(second, o => o.Port = port);
        Assert.That(await Eventually.TrueAsync(() => second.Delivered > 100, TimeSpan.FromSeconds(20)), Is.True, "data flows to the restarted peer");
        Assert.That(sender.Failures.Count(f => f.Type == MessageTypes.SendFailed), Is.Zero);
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(60_000)]
    public async Task SendToNobody_ReportsSendFailed_AfterRetries()
    {
        await using var overlay = new TestOverlay();
        var sender = new RelayAlgorithm();
        var a = await overlay.AddAsync(sender, o => o.ConnectRetries = 2);
        var gone = await overlay.AddAsync(new RelayAlgorithm());
        var nobody = gone.Id;
        await gone.StopAsync();

        var started = DateTime.UtcNow;
        sender.Children.Add(nobody);
        await a.DeploySourceAsync(1, new SourceOptions { PayloadLength = 500, MessageLimit = 50 });
        Assert.That(await Eventually.TrueAsync(() => sender.Failures.Any(f => f.Type == MessageTypes.SendFailed), TimeSpan.FromSeconds(10)), Is.True);
        var after = sender.Failures.First(f => f.Type == MessageTypes.SendFailed).At - started;
        TestContext.Out.WriteLine($"SendFailed after {after.TotalMilliseconds:F0} ms");
        Assert.That(after, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(250)), "two retries with back-off (100 + 200 ms) come first");
        Assert.That(a.GetStatistics().MessagesLost, Is.GreaterThan(0));
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }
}
