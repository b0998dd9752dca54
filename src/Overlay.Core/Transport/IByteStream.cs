namespace Overlay.Transport;

/// <summary>
/// A connected byte stream, both ways: what the handshake (<see cref="HandshakeExchange"/>) needs of any stream
/// transport. Reads come through <see cref="IFrameSource"/> (and a <see cref="FrameReader"/>); writes here.
/// </summary>
internal interface IByteStream : IFrameSource
{
    /// <summary>Writes all of <paramref name="bytes"/>, in order.</summary>
    /// <exception cref="TransportException">The stream broke.</exception>
    ValueTask SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken);
}
