namespace Overlay.Runtime;

/// <summary>
/// Where a world's engine runs work that must leave its caller: a node loop's start, its wake-ups and its yields,
/// and the wake-ups of links' I/O loops. The default runs them on the thread pool; a single-threaded discrete-event
/// scheduler can run every node of a world on one thread instead.
/// </summary>
/// <remarks>
/// The engine hands over cached work items (one per loop or signal, never one per message), so an implementation
/// must not assume an item is new, but may assume it is not scheduled again before it has run.
/// </remarks>
public abstract class OverlayScheduler
{
    /// <summary>Runs work on the thread pool: the live world's scheduler.</summary>
    public static OverlayScheduler ThreadPool { get; } = new ThreadPoolScheduler();

    /// <summary>
    /// Whether an I/O loop that just filled or emptied a link buffer may run its node's switch itself while the node's
    /// loop sleeps (saving two hand-offs per hop), rather than waking the loop. True by default.
    /// </summary>
    public virtual bool AllowsInlineSwitching => true;

    /// <summary>Runs <paramref name="workItem"/> soon, not on the caller's stack: a wake-up of a loop that has work.</summary>
    public abstract void Schedule(OverlayWorkItem workItem);

    /// <summary>
    /// Runs <paramref name="workItem"/> after the work already waiting: a busy loop giving others their turn.
    /// Defaults to <see cref="Schedule"/>.
    /// </summary>
    public virtual void Yield(OverlayWorkItem workItem) => Schedule(workItem);
}
