using System.Runtime.CompilerServices;

namespace Overlay.Runtime;

/// <summary>
/// The node loop's way to leave its caller or give its thread up, through its world's scheduler instead of
/// <c>Task.Yield</c>. One per loop, reused for every yield: the loop awaits one yield at a time, and the async
/// machinery hands the same cached continuation each time, so a yield allocates nothing.
/// </summary>
internal sealed class LoopYield(OverlayScheduler scheduler) : OverlayWorkItem, ICriticalNotifyCompletion
{
    private Action? _continuation;
    private bool _yielding;

    /// <summary>Leaves the caller: the rest runs as scheduled work (a start, or a hand-off).</summary>
    public LoopYield Leave()
    {
        _yielding = false;
        return this;
    }

    /// <summary>Gives the thread up behind work already waiting (a busy loop's turn is over).</summary>
    public LoopYield GiveWay()
    {
        _yielding = true;
        return this;
    }

    public LoopYield GetAwaiter() => this;

    public bool IsCompleted => false;

    public void GetResult()
    {
    }

    public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

    public void UnsafeOnCompleted(Action continuation)
    {
        _continuation = continuation;
        if (_yielding)
            scheduler.Yield(this);
        else
            scheduler.Schedule(this);
    }

    public override void Execute()
    {
        var continuation = _continuation!;
        _continuation = null;
        continuation();
    }
}
