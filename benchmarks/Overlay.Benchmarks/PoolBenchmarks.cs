using System.Buffers;
using BenchmarkDotNet.Attributes;
using Overlay.Buffers;
using Overlay.Wire;

namespace Overlay.Benchmarks;

/// <summary>
/// The reference-counting life cycle of a pooled 5 KB message: relayed once, and fanned out to four children.
/// The bare <see cref="ArrayPool{T}"/> round trip is the baseline: what the message layer adds on top of it.
/// The in-flight pair rents a thousand messages before releasing them, as a long chain does, once with buffers
/// from <see cref="ArrayPool{T}.Shared"/> and once from the message pool's own <see cref="FrameBufferPool"/>.
/// </summary>
public class PoolBenchmarks
{
    private const int PayloadLength = 5 * 1024;
    private const int InFlight = 1000;

    private readonly MessagePool _pool = new();
    private readonly MessagePool _sharedArrayPool = new(ArrayPool<byte>.Shared, 65_536);
    private readonly FrameBufferPool _frames = new();
    private readonly Message[] _inFlight = new Message[InFlight];

    [Benchmark(Baseline = true)]
    public int ArrayPoolRentReturn()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(MessageHeader.Size + PayloadLength);
        ArrayPool<byte>.Shared.Return(buffer);
        return buffer.Length;
    }

    [Benchmark]
    public int FrameBufferPoolRentReturn()
    {
        var buffer = _frames.Rent(MessageHeader.Size + PayloadLength);
        _frames.Return(buffer);
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

    /// <summary>Per message: a thousand in flight with buffers from the shared array pool (the former design).</summary>
    [Benchmark(OperationsPerInvoke = InFlight)]
    public void InFlight1000_SharedArrayPool() => RentAndReleaseInFlight(_sharedArrayPool);

    /// <summary>Per message: a thousand in flight with buffers from the message pool's own frame pool.</summary>
    [Benchmark(OperationsPerInvoke = InFlight)]
    public void InFlight1000_FrameBufferPool() => RentAndReleaseInFlight(_pool);

    private void RentAndReleaseInFlight(MessagePool pool)
    {
        for (var i = 0; i < InFlight; i++)
            _inFlight[i] = pool.Rent(PayloadLength);
        for (var i = 0; i < InFlight; i++)
            _inFlight[i].Release();
    }
}
