namespace Overlay.Runtime;

/// <summary>
/// A unit of work the engine hands to an <see cref="OverlayScheduler"/>. The engine keeps one per loop or signal and
/// reuses it, so scheduling allocates nothing; it is also a thread-pool work item, so the thread pool takes it as is.
/// </summary>
public abstract class OverlayWorkItem : IThreadPoolWorkItem
{
    /// <summary>Runs the work. A scheduler calls it exactly once per <see cref="OverlayScheduler.Schedule"/>.</summary>
    public abstract void Execute();
}
