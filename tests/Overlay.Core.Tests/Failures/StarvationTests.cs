using System.Diagnostics;
using NUnit.Framework;
using Overlay.Core.Tests.Support;

namespace Overlay.Core.Tests.Failures;

/// <summary>A node whose process stalls (starved of CPU, suspended) must not blame its live peers for the gap.</summary>
[Category("Integration")]
public class StarvationTests
{
    [Test, CancelAfter(60_000)]
    public async Task ClockJumpsLikeASuspendedProcess_LiveLinksStayUp()
    {
        var clock = new JumpingClock();
        await using var overlay = new TestOverlay();
        var relay = new RelayAlgorithm();
        var a = await overlay.AddAsync(relay, o => o.TimeProvider = clock);

        // An idle peer in another process: nodes of one process share its fate and skip keep-alives between them.
        using var peer = await PeerProcess.StartAsync();
        relay.Children.Add(peer.Id);
        await a.DeploySourceAsync(1, new SourceOptions { PayloadLength = 10, MessageLimit = 1 });
        Assert.That(await Eventually.TrueAsync(() => a.GetStatistics().Downstreams.Count == 1, TimeSpan.FromSeconds(10)), Is.True);

        // Each jump is what a node sees after its process did not run for 20 s (ten failure time-outs): every
        // last-heard stamp is suddenly 20 s old, though the peer kept sending all along.
        const int Jumps = 5;
        for (var i = 0; i < Jumps; i++)
        {
            clock.Jump(TimeSpan.FromSeconds(20));
            await Task.Delay(TimeSpan.FromSeconds(1.5));
        }

        var statistics = a.GetStatistics();
        Assert.That(relay.Failures, Is.Empty);
        Assert.That(statistics.LinksClosedByError, Is.Empty);
        Assert.That(statistics.Downstreams, Has.Count.EqualTo(1));
        // Two jumps may fall between two checks when the machine is loaded.
        Assert.That(a.LateLivenessChecks, Is.GreaterThanOrEqualTo(1), "the jumps were seen as late checks");
        peer.Kill();
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    /// <summary>Real time plus an offset that jumps forward on request; timers stay real.</summary>
    private sealed class JumpingClock : TimeProvider
    {
        private long _offset;

        public override long TimestampFrequency => Stopwatch.Frequency;

        public override long GetTimestamp() => Stopwatch.GetTimestamp() + Interlocked.Read(ref _offset);

        public void Jump(TimeSpan by) => Interlocked.Add(ref _offset, (long)(by.TotalSeconds * Stopwatch.Frequency));
    }
}
