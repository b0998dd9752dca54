namespace Overlay.Transport;

/// <summary>
/// One established, handshaken link to a peer: the engine's only view of a connection, so any transport (TCP, the
/// in-memory one, a simulated network) serves the engine unchanged.
/// </summary>
/// <remarks>
/// What only some transports know (bytes waiting in the kernel, kernel buffer sizes) is not here but in optional
/// capability interfaces such as <see cref="IKernelBuffers"/>, which the engine uses only when a connection has them.
/// Failures of the connection itself surface as <see cref="TransportException"/>; a malformed frame as a
/// <see cref="Wire.WireFormatException"/>.
/// </remarks>
public interface IConnection : IAsyncDisposable
{
    /// <summary>The peer's identity, from its handshake.</summary>
    NodeId Remote { get; }

    /// <summary>What this connection guarantees (reliable, ordered, flow-controlled, datagram).</summary>
    TransportCapabilities Capabilities { get; }

    /// <summary>Bytes received so far, handshake included.</summary>
    long BytesReceived { get; }

    /// <summary>Writes the frames of a batch, in order, with as few writes as the transport allows.</summary>
    /// <param name="batch">The frames (each message's header encoded).</param>
    /// <param name="progress">Told, as the write goes, how many of the batch's bytes have left; may be null.</param>
    /// <returns>Completes when every byte was handed on; on a flow-controlled transport it stays pending while the peer does not read.</returns>
    /// <exception cref="TransportException">The connection broke (reset, aborted).</exception>
    /// <remarks>At most one send may be in flight at a time.</remarks>
    ValueTask SendAsync(ReadOnlyMemory<Message> batch, ISendProgress? progress = null);

    /// <summary>Decodes frames into <paramref name="sink"/> until the peer closes the link.</summary>
    /// <param name="sink">Takes each decoded message.</param>
    /// <param name="cancellationToken">Ends the receive loop.</param>
    /// <returns>Completes normally when the peer closed the stream at a frame boundary.</returns>
    /// <exception cref="Wire.WireFormatException">A frame was malformed, or the stream ended inside one.</exception>
    /// <exception cref="TransportException">The connection broke (reset, aborted).</exception>
    Task ReceiveAsync(IFrameSink sink, CancellationToken cancellationToken);

    /// <summary>Closes the link at once, as a crash would: pending reads and writes fail, the peer sees a reset.</summary>
    void Abort();
}
