using BenchmarkDotNet.Attributes;
using Overlay.Buffers;

namespace Overlay.Benchmarks;

/// <summary>
/// What the default data source spends per 5 KB message on its checkable payload pattern, and what a receiver
/// spends checking it: the chain experiment's source pays the first for every message it produces.
/// </summary>
public class SourceBenchmarks
{
    private const int PayloadLength = 5 * 1024;

    private readonly MessagePool _pool = new();
    private Message _message = null!;

    [GlobalSetup]
    public void Setup()
    {
        _message = _pool.Rent(PayloadLength);
        _message.ApplicationId = 1;
        SourceOptions.FillPattern(_message);
    }

    [GlobalCleanup]
    public void Cleanup() => _message.Release();

    [Benchmark]
    public void FillPattern()
    {
        _message.SequenceNumber++;
        SourceOptions.FillPattern(_message);
    }

    [Benchmark]
    public bool IsPattern() => SourceOptions.IsPattern(_message);
}
