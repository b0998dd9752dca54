using NUnit.Framework;
using Overlay.Core.Tests.Support;

namespace Overlay.Core.Tests.Failures;

[Category("Integration")]
public class ReconnectTests
{
    // Each connection attempt's handshake deadline is a one-shot timer on the node's clock as well; the clock leaves it
    // out, so that what it notes is the back-off alone.
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(5);

    [Test, CancelAfter(60_000)]
    public async Task SendAfterFailure_ReconnectsWithBackOff_WhenThePeerComesBack()
    {
        await using var overlay = new TestOverlay();
        var sender = new RelayAlgorithm();
        var clock = new RecordingTimeProvider { Ignored = HandshakeTimeout };

        // Enough retries (25 s of back-off in all) that a slow machine restarting the peer never runs out of them.
        var a = await overlay.AddAsync(sender, o =>
        {
            o.TimeProvider = clock;
            o.HandshakeTimeout = HandshakeTimeout;
            o.ConnectRetries = 8;
        });
        var first = new RelayAlgorithm();
        var b = await overlay.AddAsync(first);
        var port = b.Id.Port;
        sender.Children.Add(b.Id);
        await a.DeploySourceAsync(1, new SourceOptions { PayloadLength = 500 });
        Assert.That(await Eventually.TrueAsync(() => first.Delivered > 100, TimeSpan.FromSeconds(20)), Is.True);

        await b.TerminateAsync();
        Assert.That(await Eventually.TrueAsync(() => sender.Failures.Any(f => f.Type == MessageTypes.BrokenDownstream), TimeSpan.FromSeconds(10)), Is.True);
        Assert.That(clock.OneShots, Is.Empty, "no back-off while the link was up");

        // Sending again starts connecting at once; the peer comes back only once two attempts have failed and backed
        // off, so only a retry can succeed.
        var peer = b.Id;
        await a.InvokeAsync(() => sender.Children.Add(peer));
        Assert.That(await Eventually.TrueAsync(() => clock.OneShots.Count >= 2, TimeSpan.FromSeconds(10)), Is.True, "two attempts failed and backed off");
        var second = new RelayAlgorithm();
        await overlay.AddAsync(second, o => o.Port = port);
        Assert.That(await Eventually.TrueAsync(() => second.Delivered > 100, TimeSpan.FromSeconds(20)), Is.True, "data flows to the restarted peer");
        Assert.That(sender.Failures.Count(f => f.Type == MessageTypes.SendFailed), Is.Zero);

        // The back-off doubles from 100 ms, and each next attempt came only after its wait.
        var waits = clock.OneShots;
        TestContext.Out.WriteLine("back-off: " + string.Join(", ", waits.Select(w => $"{w.Delay.TotalMilliseconds:F0} ms asked at {w.At.TotalMilliseconds:F0} ms")));
        Assert.That(waits, Has.Count.InRange(2, 8));
        AssertDoublingBackOff(waits);
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(60_000)]
    public async Task SendToNobody_ReportsSendFailed_AfterRetries_AndLosesEveryMessage()
    {
        const int Messages = 50;
        const int PayloadLength = 500;
        await using var overlay = new TestOverlay();
        var sender = new RelayAlgorithm();
        var clock = new RecordingTimeProvider { Ignored = HandshakeTimeout };

        // Room for every message in the link's buffer: all of them wait there for a connection that never comes.
        var a = await overlay.AddAsync(sender, o =>
        {
            o.TimeProvider = clock;
            o.HandshakeTimeout = HandshakeTimeout;
            o.ConnectRetries = 2;
            o.BufferCapacity = 64;
        });
        var gone = await overlay.AddAsync(new RelayAlgorithm());
        var nobody = gone.Id;
        await gone.StopAsync();

        var started = DateTime.UtcNow;
        sender.Children.Add(nobody);
        await a.DeploySourceAsync(1, new SourceOptions { PayloadLength = PayloadLength, MessageLimit = Messages });
        Assert.That(await Eventually.TrueAsync(() => sender.Failures.Any(f => f.Type == MessageTypes.SendFailed), TimeSpan.FromSeconds(10)), Is.True);
        var after = sender.Failures.First(f => f.Type == MessageTypes.SendFailed).At - started;
        TestContext.Out.WriteLine($"SendFailed after {after.TotalMilliseconds:F0} ms; back-off: " +
            string.Join(", ", clock.OneShots.Select(w => $"{w.Delay.TotalMilliseconds:F0} ms asked at {w.At.TotalMilliseconds:F0} ms")));
        Assert.That(clock.OneShots.Select(w => w.Delay), Is.EqualTo(new[] { TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200) }), "two retries, 100 then 200 ms apart");
        AssertDoublingBackOff(clock.OneShots);
        // The waits run on the timer's monotonic clock, `after` on the wall clock: the two can disagree by a fraction of
        // a millisecond (seen: 299.86 ms), so allow a few milliseconds — far less than either wait.
        Assert.That(after, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(295)), "the failure is reported only after both waits");

        // Every message the source made was buffered for the link and released unsent.
        var statistics = a.GetStatistics();
        Assert.That(statistics.MessagesLost, Is.EqualTo(Messages));
        Assert.That(statistics.BytesLost, Is.EqualTo(Messages * (24 + PayloadLength)));
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    // Waits of 100, 200, 400 … ms, each created only after the previous one had run out (and the attempt after it failed).
    private static void AssertDoublingBackOff(IReadOnlyList<(TimeSpan Delay, TimeSpan At)> waits)
    {
        for (var i = 0; i < waits.Count; i++)
        {
            Assert.That(waits[i].Delay, Is.EqualTo(TimeSpan.FromMilliseconds(100 << i)), $"wait {i + 1}");
            if (i > 0)
            {
                // .NET's timers run on a coarse clock (Environment.TickCount64: a kernel tick, 4 ms at HZ=250), so one
                // may fire a few milliseconds before the stopwatch says its time is up (seen: 97 ms of a 100 ms wait).
                // Ten milliseconds cover that and still tell a wait from an attempt made without one.
                Assert.That(waits[i].At - waits[i - 1].At, Is.GreaterThanOrEqualTo(waits[i - 1].Delay - TimeSpan.FromMilliseconds(10)), $"attempt {i + 2} came before wait {i} ran out");
            }
        }
    }
}
