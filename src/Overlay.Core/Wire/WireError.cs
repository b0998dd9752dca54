namespace Overlay.Wire;

/// <summary>
/// Why a peer's connection or bytes were refused, or why this node closed a link. Each value counts one thing, in
/// <see cref="NodeStatistics.RejectedConnections"/> (before the handshake completed) or
/// <see cref="NodeStatistics.LinksClosedByError"/> (after); see docs/security.md for the table.
/// </summary>
public enum WireError
{
    /// <summary>No error.</summary>
    None = 0,

    /// <summary>The peer closed the stream inside a handshake or a frame (an orderly end of stream, not a socket error).</summary>
    Truncated,

    /// <summary>The handshake did not start with the protocol's magic number.</summary>
    BadMagic,

    /// <summary>The handshake named a protocol version this side does not speak.</summary>
    UnsupportedVersion,

    /// <summary>The handshake came from another overlay.</summary>
    WrongOverlay,

    /// <summary>A reserved handshake field was not zero, or the endpoint was invalid.</summary>
    BadHandshake,

    /// <summary>The frame's type is zero, negative, or an engine type that never travels on the wire.</summary>
    UnknownType,

    /// <summary>The sender port is outside 0..65535.</summary>
    BadSender,

    /// <summary>The payload length is negative.</summary>
    NegativeLength,

    /// <summary>The payload length is larger than the configured maximum.</summary>
    OversizedPayload,

    /// <summary>The peer sent nothing (or too little) within the handshake time-out.</summary>
    HandshakeTimeout,

    /// <summary>The peer failed the shared-secret challenge.</summary>
    AuthenticationFailed,

    /// <summary>An observer or control frame arrived on a node-to-node link: only the authenticated observer may command a node.</summary>
    NotAllowed,

    /// <summary>The peer went silent (no frame, no keep-alive) for longer than the failure time-out.</summary>
    Silent,

    /// <summary>The connection failed with a socket error (reset by the peer, for one) before its handshake completed.</summary>
    ConnectionReset,

    /// <summary>
    /// The node already had <see cref="OverlayNodeOptions.MaxPendingHandshakes"/> connections in their handshake, so
    /// this one was closed as soon as it was accepted.
    /// </summary>
    TooManyHandshakes,

    /// <summary>
    /// The node's budget for partly received messages (<see cref="OverlayNodeOptions.PartialMessageBudget"/>) ran out
    /// and this link's partly received message was the slowest: the link was closed to make room.
    /// </summary>
    PartialMessageBudget,
}
