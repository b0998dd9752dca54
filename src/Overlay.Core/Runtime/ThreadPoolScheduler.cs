namespace Overlay.Runtime;

/// <summary>The live world's scheduler: work items go to the thread pool as they are, without a wrapper.</summary>
internal sealed class ThreadPoolScheduler : OverlayScheduler
{
    // A wake-up prefers the waking thread's local queue (as a completed ValueTask source would queue its
    // continuation); a yield goes to the global queue, behind the work of other nodes, as Task.Yield does.
    public override void Schedule(OverlayWorkItem workItem) => System.Threading.ThreadPool.UnsafeQueueUserWorkItem(workItem, preferLocal: true);

    public override void Yield(OverlayWorkItem workItem) => System.Threading.ThreadPool.UnsafeQueueUserWorkItem(workItem, preferLocal: false);
}
