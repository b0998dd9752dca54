using BenchmarkDotNet.Attributes;
using Overlay.Buffers;
using Overlay.Transport;
using Overlay.Wire;

namespace Overlay.Benchmarks;

/// <summary>
/// The per-message wire work of a 5 KB message (the paper's message size): encoding its header in place, and
/// decoding a frame from a byte stream into a pooled message.
/// </summary>
public class WireBenchmarks
{
    private const int PayloadLength = 5 * 1024;

    // Many frames per call so the per-call cost of RunAsync is spread out and the figure is per frame.
    private const int FramesPerCall = 64;

    private readonly MessagePool _pool = new();
    private Message _message = null!;
    private FrameReader _reader = null!;
    private ReplayFrameSource _source = null!;
    private ReleasingFrameSink _sink = null!;

    [GlobalSetup]
    public void Setup()
    {
        _message = _pool.Rent(PayloadLength);
        _message.Type = MessageTypes.Data;
        _message.Sender = NodeId.Parse("127.0.0.1:4000");
        _message.ApplicationId = 1;
        SourceOptions.FillPattern(_message);

        var frameLength = MessageHeader.Size + PayloadLength;
        var stream = new byte[frameLength * FramesPerCall];
        for (var i = 0; i < FramesPerCall; i++)
        {
            var frame = stream.AsSpan(i * frameLength, frameLength);
            new MessageHeader(MessageTypes.Data, _message.Sender, 1, i, PayloadLength).Write(frame);
            _message.Payload.CopyTo(frame[MessageHeader.Size..]);
        }

        _source = new ReplayFrameSource(stream);
        _sink = new ReleasingFrameSink();
        _reader = new FrameReader(_pool, PayloadLength);

        // One untimed pass proves the stream decodes to exactly the frames written.
        DecodeFrame();
        if (_sink.Messages != FramesPerCall || _pool.Outstanding != 1)
            throw new InvalidOperationException($"Decoded {_sink.Messages} frames, {_pool.Outstanding} messages outstanding.");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _reader.Dispose();
        _message.Release();
    }

    /// <summary>What the engine does to every message it sends: write the header fields into the frame.</summary>
    [Benchmark]
    public void EncodeHeader()
    {
        _message.SequenceNumber++;
        _message.EncodeHeader();
    }

    /// <summary>
    /// Validate a header, rent a message, copy the payload out of the staging buffer, hand it to the sink
    /// (which releases it). The reader is reused, as on a long-lived link.
    /// </summary>
    [Benchmark(OperationsPerInvoke = FramesPerCall)]
    public void DecodeFrame()
    {
        _source.Rewind();
        // Every read completes synchronously, so the task is already complete here.
        _reader.RunAsync(_source, _sink, CancellationToken.None).GetAwaiter().GetResult();
    }
}
