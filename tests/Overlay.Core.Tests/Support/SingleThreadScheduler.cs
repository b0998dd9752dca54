using System.Collections.Concurrent;
using Overlay.Runtime;

namespace Overlay.Core.Tests.Support;

/// <summary>
/// Runs every work item a world schedules on one dedicated thread, in order, and counts them; no inline switching.
/// The shape a discrete-event scheduler will have, minus virtual time.
/// </summary>
internal sealed class SingleThreadScheduler : OverlayScheduler, IDisposable
{
    private readonly BlockingCollection<OverlayWorkItem> _queue = [];
    private readonly Thread _thread;
    private long _scheduled;
    private long _yields;

    public SingleThreadScheduler()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "single-thread scheduler" };
        _thread.Start();
    }

    public int ThreadId => _thread.ManagedThreadId;

    public long Scheduled => Interlocked.Read(ref _scheduled);

    public long Yields => Interlocked.Read(ref _yields);

    /// <summary>The first exception a work item threw (a scheduler must never see one).</summary>
    public Exception? Fault { get; private set; }

    public override bool AllowsInlineSwitching => false;

    public override void Schedule(OverlayWorkItem workItem)
    {
        Interlocked.Increment(ref _scheduled);
        _queue.Add(workItem);
    }

    public override void Yield(OverlayWorkItem workItem)
    {
        Interlocked.Increment(ref _yields);
        _queue.Add(workItem);
    }

    public void Dispose()
    {
        _queue.CompleteAdding();
        _thread.Join();
        _queue.Dispose();
    }

    private void Run()
    {
        foreach (var item in _queue.GetConsumingEnumerable())
        {
            try
            {
                item.Execute();
            }
            catch (Exception ex)
            {
                Fault ??= ex;
            }
        }
    }
}
