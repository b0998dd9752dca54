namespace Overlay.Transport;

/// <summary>
/// One established, handshaken link to a peer: the engine's only view of a connection, so a simulated
/// transport can replace TCP without touching the engine.
/// </summary>
internal interface IConnection : IAsyncDisposable
{
    /// <summary>The peer's identity, from its handshake.</summary>
    NodeId Remote { get; }

    /// <summary>Bytes received so far, handshake included.</summary>
    long BytesReceived { get; }

    /// <summary>Bytes the peer sent that wait unread in the kernel (0 once closed): proof of a live peer while this end reads late.</summary>
    int BytesWaiting { get; }

    /// <summary>Writes the frames of a batch, in order, with as few system calls as the transport allows.</summary>
    /// <param name="batch">The frames.</param>
    /// <param name="progress">Told, as the write goes, how many of the batch's bytes have left; may be null.</param>
    /// <remarks>At most one send may be in flight at a time.</remarks>
    ValueTask SendAsync(ReadOnlyMemory<Message> batch, ISendProgress? progress = null);

    /// <summary>Decodes frames into <paramref name="sink"/> until the peer closes the link.</summary>
    Task ReceiveAsync(IFrameSink sink, CancellationToken cancellationToken);

    /// <summary>
    /// Sets the kernel's buffer for one direction of this connection (send: <c>SO_SNDBUF</c>, receive:
    /// <c>SO_RCVBUF</c>) to about <paramref name="bytes"/>; null gives it back the size it had before the first change,
    /// fixed at that size (on Linux the first change turns the kernel's autotuning off for this socket for good).
    /// </summary>
    void SetKernelBuffer(bool send, int? bytes);

    /// <summary>Closes the link at once; pending reads and writes fail.</summary>
    void Abort();
}
