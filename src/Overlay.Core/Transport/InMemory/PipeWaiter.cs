using System.Threading.Tasks.Sources;

namespace Overlay.Transport.InMemory;

/// <summary>
/// The one reusable wait of a pipe's reader or of its writer: armed under the pipe's lock when there is nothing to
/// read (or no room), released by the other side. Allocation-free; continuations never run inline under the lock.
/// </summary>
/// <remarks>Time plays no part: a wait ends only when the other side acts, the pipe closes, or the caller cancels.</remarks>
internal sealed class PipeWaiter : IValueTaskSource
{
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private CancellationTokenRegistration _registration;
    private int _armed;

    /// <summary>Starts a wait; the caller holds the pipe's lock and awaits the result after leaving it.</summary>
    public ValueTask Arm(CancellationToken cancellationToken)
    {
        _core.Reset();
        Volatile.Write(ref _armed, 1);
        if (cancellationToken.CanBeCanceled)
            _registration = cancellationToken.UnsafeRegister(static (state, token) => ((PipeWaiter)state!).Cancel(token), this);
        return new ValueTask(this, _core.Version);
    }

    /// <summary>Ends the wait, if one is armed (a release with nobody waiting is dropped: the waiter checks again anyway).</summary>
    public void Release()
    {
        if (Interlocked.Exchange(ref _armed, 0) == 1)
            _core.SetResult(true);
    }

    void IValueTaskSource.GetResult(short token)
    {
        _registration.Dispose();
        _registration = default;
        _core.GetResult(token);
    }

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private void Cancel(CancellationToken token)
    {
        if (Interlocked.Exchange(ref _armed, 0) == 1)
            _core.SetException(new OperationCanceledException(token));
    }
}
