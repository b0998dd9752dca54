using System.Collections.Concurrent;
using System.Diagnostics;

namespace Overlay.Core.Tests.Support;

/// <summary>
/// The system clock, noting every one-shot timer created through it (the delay asked for and when it was asked), so a
/// test can see the waits a node chose — its back-off between connection attempts, for one. Timers of
/// <see cref="Ignored"/> length are not noted: a node's handshake deadline runs on its clock too.
/// </summary>
internal sealed class RecordingTimeProvider : TimeProvider
{
    private readonly ConcurrentQueue<(TimeSpan Delay, TimeSpan At)> _oneShots = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    /// <summary>Each one-shot timer's delay and when (since this clock was made) it was created, oldest first.</summary>
    public IReadOnlyList<(TimeSpan Delay, TimeSpan At)> OneShots => [.. _oneShots];

    /// <summary>A one-shot delay not to note (the handshake deadline the test set), or null to note every one.</summary>
    public TimeSpan? Ignored { get; init; }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (period == Timeout.InfiniteTimeSpan && dueTime > TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan && dueTime != Ignored)
            _oneShots.Enqueue((dueTime, _clock.Elapsed));
        return System.CreateTimer(callback, state, dueTime, period);
    }
}
