using Overlay.Transport;

namespace Overlay.Core.Tests.Support;

/// <summary>Feeds a byte array to a <see cref="FrameReader"/> in chunks of random size, then ends the stream.</summary>
internal sealed class ChunkedSource(byte[] data, int seed) : IFrameSource
{
    private readonly Random _random = new(seed);
    private int _position;

    public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var remaining = data.Length - _position;
        if (remaining == 0 || buffer.Length == 0)
            return ValueTask.FromResult(0);
        var count = Math.Min(Math.Min(remaining, buffer.Length), 1 + _random.Next(Math.Max(1, remaining)));
        data.AsSpan(_position, count).CopyTo(buffer.Span);
        _position += count;
        return ValueTask.FromResult(count);
    }
}
