using BenchmarkDotNet.Attributes;
using Overlay.Emulation;

namespace Overlay.Benchmarks;

/// <summary>
/// The cost of the bandwidth limiter per batch: a reservation on a limited bucket (lock, timestamp, arithmetic)
/// and on an unlimited one (the fast path every link pays when no limit is set).
/// </summary>
[MemoryDiagnoser]
public class TokenBucketBenchmarks
{
    private readonly TokenBucket _limited = new(TimeProvider.System, 100e6, 256 * 1024);
    private readonly TokenBucket _unlimited = new(TimeProvider.System);

    [Benchmark]
    public TimeSpan ReserveLimited() => _limited.Reserve(64 * 1024);

    [Benchmark(Baseline = true)]
    public TimeSpan ReserveUnlimited() => _unlimited.Reserve(64 * 1024);
}
