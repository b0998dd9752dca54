using System.Buffers;
using BenchmarkDotNet.Attributes;
using Overlay.Buffers;
using Overlay.Wire;

namespace Overlay.Benchmarks;

/// <summary>
/// The reference-counting life cycle of a pooled 5 KB message: relayed once, and fanned out to four children.
/// The bare <see cref="ArrayPool{T}"/> round trip is the baseline: what the message layer adds on top of it.
/// </summary>
public class PoolBenchmarks
{
    private const int PayloadLength = 5 * 1024;

    private readonly MessagePool _pool = new();

    [Benchmark(Baseline = true)]
    public int ArrayPoolRentReturn()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(MessageHeader.Size + PayloadLength);
        ArrayPool<byte>.Shared.Return(buffer);
        return buffer.Length;
    }

    /// <summary>A relayed message: received, queued on one link (Retain), released by the switch and by the sender.</summary>
    [Benchmark]
    public int RentRetainReleaseRelease()
    {
        var message = _pool.Rent(PayloadLength);
        message.Retain();
        message.Release();
        message.Release();
        return message.Generation;
    }

    /// <summary>A message sent to four children: three extra references at once, then one release per link.</summary>
    [Benchmark]
    public int FanOut4()
    {
        var message = _pool.Rent(PayloadLength);
        message.Retain(3);
        message.Release();
        message.Release();
        message.Release();
        message.Release();
        return message.Generation;
    }
}
