using Overlay.Transport;

namespace Overlay.Benchmarks;

/// <summary>
/// An in-memory byte stream that completes every read synchronously, so a decode benchmark measures the
/// <see cref="FrameReader"/> and not a socket.
/// </summary>
internal sealed class ReplayFrameSource(byte[] stream) : IFrameSource
{
    private int _position;

    /// <summary>Starts the stream over; the next read after the end returned 0 (end of stream).</summary>
    public void Rewind() => _position = 0;

    public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var count = Math.Min(buffer.Length, stream.Length - _position);
        stream.AsSpan(_position, count).CopyTo(buffer.Span);
        _position += count;
        return new ValueTask<int>(count);
    }
}
