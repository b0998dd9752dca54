using BenchmarkDotNet.Attributes;
using Overlay.Engine;
using Overlay.Runtime;

namespace Overlay.Benchmarks;

/// <summary>
/// What a hand-off through the world's scheduler costs: a node loop's yield (<see cref="LoopYield"/>) against
/// <c>Task.Yield</c>, and an I/O loop's wake-up (<see cref="AsyncSignal"/>), on the thread-pool scheduler. Each
/// operation is one trip through the thread pool; the async method's box is allocated once per 1,000 of them.
/// </summary>
public class SchedulerBenchmarks
{
    private const int Operations = 1_000;

    private readonly LoopYield _yield = new(OverlayScheduler.ThreadPool);
    private readonly AsyncSignal _signal = new(OverlayScheduler.ThreadPool);

    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    public async Task TaskYield()
    {
        for (var i = 0; i < Operations; i++)
            await Task.Yield();
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    public async Task LoopYieldGiveWay()
    {
        for (var i = 0; i < Operations; i++)
            await _yield.GiveWay();
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    public async Task SignalWakeUp()
    {
        for (var i = 0; i < Operations; i++)
        {
            var wait = _signal.WaitAsync();
            _signal.Set();
            await wait;
        }
    }
}
