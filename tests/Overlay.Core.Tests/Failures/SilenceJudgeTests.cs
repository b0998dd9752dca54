using System.Net;
using NUnit.Framework;
using Overlay.Core.Tests.Support;
using Overlay.Engine;

namespace Overlay.Core.Tests.Failures;

/// <summary>
/// The silence rules with a hand-driven clock, as the liveness checker applies them with the default failure
/// time-out (2 s): checks every 0.4 s, silence limit 1.2 s.
/// </summary>
public class SilenceJudgeTests
{
    private static readonly TimeSpan FailureTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Interval = FailureTimeout / 5;
    private static readonly TimeSpan Limit = Interval * 3;
    private static readonly NodeId Peer = NodeId.FromEndPoint(new IPEndPoint(IPAddress.Loopback, 4000));

    [Test]
    public void FrozenPeer_WithChecksOnTime_IsFoundWithinTheFailureTimeout()
    {
        var clock = new ManualClock();
        var judge = new SilenceJudge(clock, Interval, Limit);
        var lastHeard = clock.Now;
        clock.Advance(TimeSpan.FromMilliseconds(150)); // the checker's phase against the peer's last frame

        TimeSpan? foundAfter = null;
        for (var check = 0; check < 20 && foundAfter is null; check++)
        {
            var now = Check(judge, clock, (Peer, lastHeard));
            if (judge.IsQuiet(Peer, now))
                foundAfter = clock.GetElapsedTime(lastHeard, now);
            clock.Advance(Interval);
        }

        Assert.That(foundAfter, Is.Not.Null);
        Assert.That(foundAfter!.Value, Is.GreaterThan(Limit));
        // The freeze comes after the last frame, so this bounds the time from the freeze too.
        Assert.That(foundAfter.Value, Is.LessThanOrEqualTo(Limit + Interval));
        Assert.That(foundAfter.Value, Is.LessThan(FailureTimeout));
        Assert.That(judge.LateChecks, Is.Zero);
    }

    [Test]
    public void CheckFarTooLate_DoesNotCountTheStallAsThePeersSilence()
    {
        var clock = new ManualClock();
        var judge = new SilenceJudge(clock, Interval, Limit);
        var lastHeard = clock.Now;
        for (var check = 0; check < 2; check++)
        {
            Assert.That(judge.IsQuiet(Peer, Check(judge, clock, (Peer, lastHeard))), Is.False);
            clock.Advance(Interval);
            lastHeard = clock.Now - 1; // the live peer's keep-alives are read between checks
        }

        // The process is suspended for 30 s: the peer's frames wait unread, its last stamp is 30 s old.
        clock.Advance(TimeSpan.FromSeconds(30));
        var late = Check(judge, clock, (Peer, lastHeard));

        Assert.That(clock.GetElapsedTime(lastHeard, late), Is.GreaterThan(Limit));
        Assert.That(judge.IsQuiet(Peer, late), Is.False);
        Assert.That(judge.LateChecks, Is.EqualTo(1));

        // Once the process runs again, the frames are read and the peer is heard.
        clock.Advance(Interval);
        lastHeard = clock.Now - 1;
        Assert.That(judge.IsQuiet(Peer, Check(judge, clock, (Peer, lastHeard))), Is.False);
    }

    [Test]
    public void FrozenPeer_AfterAStall_IsStillFoundWithinTwoMoreIntervals()
    {
        var clock = new ManualClock();
        var judge = new SilenceJudge(clock, Interval, Limit);
        var lastHeard = clock.Now;
        Check(judge, clock, (Peer, lastHeard));
        clock.Advance(TimeSpan.FromSeconds(30));

        var quietAt = new List<bool>();
        for (var check = 0; check < 4; check++)
        {
            quietAt.Add(judge.IsQuiet(Peer, Check(judge, clock, (Peer, lastHeard))));
            clock.Advance(Interval);
        }

        Assert.That(quietAt, Is.EqualTo(new[] { false, false, true, true }));
    }

    [Test]
    public void FrozenPeer_WhileEveryCheckRunsLate_IsStillFound()
    {
        // A process starved the whole time: every check comes 1 s apart instead of 0.4 s.
        var clock = new ManualClock();
        var judge = new SilenceJudge(clock, Interval, Limit);
        var lastHeard = clock.Now;
        var checks = 0;
        var found = false;
        while (!found && checks < 10)
        {
            found = judge.IsQuiet(Peer, Check(judge, clock, (Peer, lastHeard)));
            checks++;
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.That(found, Is.True);
        Assert.That(checks, Is.EqualTo(SilenceJudge.QuietChecksToSilence + 1));
        Assert.That(judge.LateChecks, Is.EqualTo(checks - 1));
    }

    [Test]
    public void FrameOnEitherLink_KeepsThePeerAlive()
    {
        var clock = new ManualClock();
        var judge = new SilenceJudge(clock, Interval, Limit);
        var stale = clock.Now;
        for (var check = 0; check < 10; check++)
        {
            // One link of the pair has been silent from the start; the other hears the peer every interval.
            var now = Check(judge, clock, (Peer, stale), (Peer, clock.Now - 1));
            Assert.That(judge.IsQuiet(Peer, now), Is.False, $"check {check}");
            clock.Advance(Interval);
        }
    }

    private static long Check(SilenceJudge judge, ManualClock clock, params (NodeId Peer, long LastHeard)[] links)
    {
        var now = judge.BeginCheck();
        Assert.That(now, Is.EqualTo(clock.Now));
        foreach (var (peer, lastHeard) in links)
            judge.Heard(peer, lastHeard);
        judge.EndTally();
        return now;
    }
}
