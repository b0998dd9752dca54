using System.Threading.Tasks.Sources;
using Overlay.Runtime;

namespace Overlay.Engine;

/// <summary>
/// An auto-reset signal with one waiter, awaitable without allocation: how an I/O loop sleeps until its node's
/// loop gives it work (or room), and is woken again.
/// </summary>
/// <remarks>
/// A <see cref="Set"/> with nobody waiting is remembered, so the usual "check, then wait" race loses no wake-up.
/// Only one <see cref="WaitAsync"/> may be outstanding. The waiter never resumes on the stack of whoever calls
/// <see cref="Set"/>: the signal schedules itself on its world's <see cref="OverlayScheduler"/>, and completes the wait
/// there, so that a single-threaded scheduler sees every wake-up (and it costs one hand-off, as a thread-pool
/// continuation did). A waiter that registers after the wait completed resumes on the thread pool (the value task
/// source's own rule); that race needs a second thread, so a single-threaded scheduler never meets it.
/// </remarks>
internal sealed class AsyncSignal(OverlayScheduler? scheduler = null) : OverlayWorkItem, IValueTaskSource
{
    private const int Idle = 0;
    private const int Waiting = 1;
    private const int Signaled = 2;

    private readonly OverlayScheduler _scheduler = scheduler ?? OverlayScheduler.ThreadPool;
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = false };
    private int _state;

    public ValueTask WaitAsync()
    {
        // A pending Set completes the wait at once.
        if (Interlocked.CompareExchange(ref _state, Idle, Signaled) == Signaled)
            return ValueTask.CompletedTask;
        _core.Reset();
        if (Interlocked.CompareExchange(ref _state, Waiting, Idle) != Idle)
        {
            // Set arrived between the two exchanges.
            Volatile.Write(ref _state, Idle);
            return ValueTask.CompletedTask;
        }

        return new ValueTask(this, _core.Version);
    }

    public void Set()
    {
        while (true)
        {
            var state = Volatile.Read(ref _state);
            if (state == Signaled)
                return;
            if (state == Waiting)
            {
                if (Interlocked.CompareExchange(ref _state, Idle, Waiting) == Waiting)
                {
                    _scheduler.Schedule(this);
                    return;
                }
            }
            else if (Interlocked.CompareExchange(ref _state, Signaled, Idle) == Idle)
            {
                return;
            }
        }
    }

    /// <summary>Scheduled by <see cref="Set"/>: completes the wait, and the waiter runs on here.</summary>
    public override void Execute() => _core.SetResult(true);

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
