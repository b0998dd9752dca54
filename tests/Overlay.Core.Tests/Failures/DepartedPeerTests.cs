using NUnit.Framework;
using Overlay.Core.Tests.Support;

namespace Overlay.Core.Tests.Failures;

/// <summary>Per-peer liveness state lives as long as the peer's links: a departed peer costs nothing afterwards.</summary>
[Category("Integration")]
public class DepartedPeerTests
{
    [Test, CancelAfter(60_000)]
    public async Task PeerWhoseLastLinkClosed_IsForgottenByTheSilenceJudge()
    {
        // Liveness is judged only for peers in other processes, so the peer is a node in a child process.
        await using var overlay = new TestOverlay();
        var relay = new RelayAlgorithm();
        var a = await overlay.AddAsync(relay, o => o.FailureTimeout = TimeSpan.FromSeconds(1));
        using var peer = await PeerProcess.StartAsync();
        relay.Children.Add(peer.Id);
        await a.DeploySourceAsync(1, new SourceOptions { PayloadLength = 10, MessageLimit = 1 });
        Assert.That(await Eventually.TrueAsync(() => a.PeersJudged == 1, TimeSpan.FromSeconds(10)), Is.True, "the peer is judged while its link is open");

        peer.Kill();
        Assert.That(await Eventually.TrueAsync(() => a.GetStatistics().Downstreams.Count == 0, TimeSpan.FromSeconds(10)), Is.True, "the link to the killed peer closed");

        // The node now has no links at all; the next liveness checks (every 0.2 s) must still drop the peer.
        Assert.That(await Eventually.TrueAsync(() => a.PeersJudged == 0, TimeSpan.FromSeconds(5)), Is.True, "the departed peer is forgotten");
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }
}
