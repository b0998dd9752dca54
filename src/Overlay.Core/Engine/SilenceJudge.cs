using System.Runtime.InteropServices;

namespace Overlay.Engine;

/// <summary>
/// Decides, for the liveness checker, which peers have really gone silent, without blaming a peer for this
/// process's own lateness. Used by one timer callback at a time.
/// </summary>
/// <remarks>
/// A process that is starved of CPU (or suspended) runs its timers and receive loops late: a live peer's frames
/// then wait unread in the kernel while the last-heard stamps age. Two rules separate that from a dead peer.
/// Silence is counted in checks that ran, not in wall time alone: a peer is silent only after
/// <see cref="QuietChecksToSilence"/> checks in a row heard nothing new from it, <em>and</em> the wall-clock
/// silence exceeds the limit. On a timely schedule the two agree; after a stall the stall counts as one check, so
/// the peer gets fresh intervals to be heard again. The caller adds the second rule: bytes
/// waiting unread on a connection prove the peer sent them.
/// </remarks>
internal sealed class SilenceJudge
{
    /// <summary>Checks in a row without news from a peer before it can be declared silent.</summary>
    public const int QuietChecksToSilence = 3;

    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly TimeSpan _limit;
    private readonly Dictionary<NodeId, Contact> _peers = [];
    private long _lastCheck;
    private long _checks;

    /// <param name="time">The node's clock.</param>
    /// <param name="interval">How often the checker is scheduled to run.</param>
    /// <param name="limit">Wall-clock silence longer than this (with enough quiet checks) declares the peer dead.</param>
    public SilenceJudge(TimeProvider time, TimeSpan interval, TimeSpan limit)
    {
        _time = time;
        _interval = interval;
        _limit = limit;
    }

    /// <summary>Checks that ran more than this after the previous one count as the process having been starved or suspended.</summary>
    public TimeSpan LateCheck => _interval * 2;

    /// <summary>Peers with state in the judge (approximate when read off the checker's thread).</summary>
    public int PeerCount => _peers.Count;

    /// <summary>How many checks ran late (the process was starved or suspended in between).</summary>
    public long LateChecks { get; private set; }

    /// <summary>Starts a check: call <see cref="Heard"/> for every link, then <see cref="EndTally"/>.</summary>
    /// <returns>The check's timestamp.</returns>
    public long BeginCheck()
    {
        var now = _time.GetTimestamp();
        if (_lastCheck != 0 && _time.GetElapsedTime(_lastCheck, now) > LateCheck)
            LateChecks++;
        _lastCheck = now;
        _checks++;
        return now;
    }

    /// <summary>Notes the last time a frame from <paramref name="peer"/> was read on one of its links.</summary>
    public void Heard(NodeId peer, long lastHeard)
    {
        ref var contact = ref CollectionsMarshal.GetValueRefOrAddDefault(_peers, peer, out var known);
        if (!known)
        {
            contact = new Contact { Heard = lastHeard, Previous = lastHeard, TalliedIn = _checks, QuietChecks = -1 }; // 0 after this tally
            return;
        }

        if (contact.TalliedIn != _checks)
        {
            // First link of this peer in this check: what the last check knew becomes the baseline.
            contact.Previous = contact.Heard;
            contact.TalliedIn = _checks;
        }

        if (lastHeard > contact.Heard)
            contact.Heard = lastHeard;
    }

    /// <summary>Ends the tally of a check: counts the quiet checks and forgets peers no link leads to any more.</summary>
    public void EndTally()
    {
        var stale = false;
        foreach (var peer in _peers.Keys)
        {
            ref var contact = ref CollectionsMarshal.GetValueRefOrNullRef(_peers, peer);
            if (contact.TalliedIn != _checks)
            {
                stale = true;
                continue;
            }

            contact.QuietChecks = contact.Heard > contact.Previous ? 0 : contact.QuietChecks + 1;
        }

        if (stale)
            ForgetStale();
    }

    /// <summary>
    /// True when nothing was heard from <paramref name="peer"/> for <see cref="QuietChecksToSilence"/> checks in a
    /// row and for longer than the limit. The caller still asks the peer's connections for unread bytes.
    /// </summary>
    /// <param name="peer">The peer, tallied in this check.</param>
    /// <param name="now">The check's timestamp, from <see cref="BeginCheck"/>.</param>
    public bool IsQuiet(NodeId peer, long now) =>
        _peers.TryGetValue(peer, out var contact)
        && contact.TalliedIn == _checks
        && contact.QuietChecks >= QuietChecksToSilence
        && _time.GetElapsedTime(contact.Heard, now) > _limit;

    private void ForgetStale()
    {
        List<NodeId>? gone = null;
        foreach (var (peer, contact) in _peers)
        {
            if (contact.TalliedIn != _checks)
                (gone ??= []).Add(peer);
        }

        foreach (var peer in gone!)
            _peers.Remove(peer);
    }

    private struct Contact
    {
        public long Heard;
        public long Previous;
        public long TalliedIn;
        public int QuietChecks;
    }
}
