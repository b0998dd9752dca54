namespace Overlay.Transport;

/// <summary>
/// An optional capability of a connection that has kernel buffers beneath it (TCP): how many bytes wait unread in
/// the kernel, and the kernel's buffer sizes. The engine asks for it with a type test and does without it.
/// </summary>
/// <remarks>
/// Without it, liveness judges a peer by the frames it heard alone (a stall of this process still counts as one
/// check, not as the peer's silence), and emulated limits size no kernel buffers: a transport whose buffers are
/// its own, like the in-memory one, has no hidden queue to size.
/// </remarks>
public interface IKernelBuffers
{
    /// <summary>Bytes the peer sent that wait unread in the kernel (0 once closed): proof of a live peer while this end reads late.</summary>
    int BytesWaiting { get; }

    /// <summary>
    /// Sets the kernel's buffer for one direction of this connection (send: <c>SO_SNDBUF</c>, receive:
    /// <c>SO_RCVBUF</c>) to about <paramref name="bytes"/>; null gives it back the size it had before the first change,
    /// fixed at that size (on Linux the first change turns the kernel's autotuning off for this socket for good).
    /// </summary>
    /// <param name="send">True for the send buffer, false for the receive buffer.</param>
    /// <param name="bytes">The size, or null for the size before the first change.</param>
    void SetKernelBuffer(bool send, int? bytes);
}
