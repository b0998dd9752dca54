namespace Overlay.Transport;

/// <summary>A stream of bytes from a peer, read in chunks (a socket in production, a byte array in tests).</summary>
internal interface IFrameSource
{
    /// <summary>Reads up to <paramref name="buffer"/>.Length bytes; 0 means the peer closed the stream.</summary>
    ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken);
}
