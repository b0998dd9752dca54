namespace Overlay.Transport;

/// <summary>A stream of bytes from a peer, read in chunks (a socket in production, a byte array in tests).</summary>
internal interface IFrameSource
{
    /// <summary>
    /// Reads up to <paramref name="buffer"/>.Length bytes; 0 means the peer closed the stream. An empty
    /// <paramref name="buffer"/> only waits until bytes (or the end) are available, consumes nothing and returns 0.
    /// </summary>
    ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>
    /// True when a read would complete at once (bytes are waiting, or the peer closed); checked after a zero-byte
    /// wait that completed later, since such a wait may end on a readiness event for bytes already read.
    /// </summary>
    bool IsReadable() => true;
}
