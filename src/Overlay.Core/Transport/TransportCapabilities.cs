namespace Overlay.Transport;

/// <summary>What a transport's connections guarantee; a transport reports the flags that are true of it.</summary>
/// <remarks>
/// The engine has no retransmission, reordering or back pressure of its own below its link buffers, so a node
/// starts only on a transport that is <see cref="Reliable"/>, <see cref="Ordered"/> and <see cref="FlowControlled"/>
/// (<see cref="Stream"/>); datagram transports are for link protocols that bring their own.
/// </remarks>
[Flags]
public enum TransportCapabilities
{
    /// <summary>No guarantee.</summary>
    None = 0,

    /// <summary>Every byte sent arrives (or the connection fails): nothing is silently lost.</summary>
    Reliable = 1,

    /// <summary>Bytes arrive in the order they were sent.</summary>
    Ordered = 2,

    /// <summary>A receiver that does not read makes the sender's send wait, with bounded memory in between.</summary>
    FlowControlled = 4,

    /// <summary>Messages keep their boundaries as separate datagrams (rather than one byte stream).</summary>
    Datagram = 8,

    /// <summary>A reliable, ordered, flow-controlled byte stream, like TCP: what the engine's links need.</summary>
    Stream = Reliable | Ordered | FlowControlled,
}
