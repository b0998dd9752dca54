using Overlay.Emulation;
using Overlay.Transport;

namespace Overlay.Engine;

/// <summary>
/// Keeps one direction of a link's kernel socket buffer sized to the node's emulated limits, so back pressure is not
/// hidden in the kernel: at tens of KB/s, default buffers (which grow to megabytes on loopback) would queue minutes
/// of data between a throttled link and the source that feeds it.
/// </summary>
/// <remarks>
/// <para>While a node has any emulated limit, the buffer holds <see cref="Seconds"/> worth of the tightest limit on
/// this direction (the link's own, the node's upload or download, the node's total), at least
/// <see cref="Minimum"/> bytes. A direction with no limit of its own is sized to the tightest limit on the node:
/// its data is throttled somewhere in the node (a relay's slow out-link stops it reading its in-links), and what it
/// holds in the kernel is just as hidden from the engine's buffers. When every limit is lifted, the buffer gets back
/// the size it had before, but fixed at that size: on Linux, setting SO_SNDBUF or SO_RCVBUF turns the kernel's
/// autotuning off for that socket for good, so only a new connection gets autotuning back.</para>
/// <para>Checked by the link's I/O loop before each batch or read with one read of the node's change counter, so a
/// limit set at run time applies the next time bytes move. A node given an explicit
/// <see cref="OverlayNodeOptions.SocketBufferSize"/> keeps that size.</para>
/// </remarks>
internal sealed class KernelBufferSizing
{
    /// <summary>How much time's worth of the emulated rate the kernel buffer holds.</summary>
    public const double Seconds = 0.1;

    /// <summary>The smallest kernel buffer set, in bytes: a few frames still fit one system call.</summary>
    public const int Minimum = 4 * 1024;

    private readonly OverlayNode _owner;
    private readonly TokenBucket _link;
    private readonly TokenBucket _node;
    private readonly bool _send;
    private int _changes;

    /// <param name="owner">The node.</param>
    /// <param name="link">The link's own bucket for this direction.</param>
    /// <param name="node">The node's upload (send) or download (receive) bucket.</param>
    /// <param name="send">True for the send buffer, false for the receive buffer.</param>
    public KernelBufferSizing(OverlayNode owner, TokenBucket link, TokenBucket node, bool send)
    {
        _owner = owner;
        _link = link;
        _node = node;
        _send = send;
    }

    /// <summary>The buffer size for an emulated rate.</summary>
    public static int SizeFor(double bytesPerSecond) => (int)Math.Clamp(bytesPerSecond * Seconds, Minimum, int.MaxValue);

    /// <summary>
    /// Resizes the connection's buffer if a limit changed since the last call; nothing on a connection without kernel
    /// buffers (<see cref="IKernelBuffers"/>). The link's I/O loop only.
    /// </summary>
    public void Update(IConnection connection)
    {
        if (connection is not IKernelBuffers kernel)
            return;
        var changes = _owner.LimitChangeCount;
        if (changes == _changes)
            return;
        _changes = changes;
        var rate = Math.Min(_link.Rate, Math.Min(_node.Rate, _owner.TotalBucket.Rate));
        if (double.IsPositiveInfinity(rate))
            rate = _owner.TightestLimit();
        kernel.SetKernelBuffer(_send, double.IsPositiveInfinity(rate) ? null : SizeFor(rate));
    }
}
