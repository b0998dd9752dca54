namespace Overlay.Diagnostics;

/// <summary>
/// The names of the <c>Overlay</c> meter, its instruments and their tags, for subscribing (e.g. OpenTelemetry's
/// <c>AddMeter(OverlayMeter.Name)</c>) and for tests. See docs/diagnostics.md for what each instrument counts.
/// </summary>
public static class OverlayMeter
{
    /// <summary>The meter's name: <c>Overlay</c>.</summary>
    public const string Name = "Overlay";

    /// <summary>Bytes written to peers (whole frames, header included), per node and peer. Observable counter.</summary>
    public const string BytesSent = "overlay.bytes.sent";

    /// <summary>Bytes received from peers (whole frames), per node and peer. Observable counter.</summary>
    public const string BytesReceived = "overlay.bytes.received";

    /// <summary>Messages written to peers, per node and peer. Observable counter.</summary>
    public const string MessagesSent = "overlay.messages.sent";

    /// <summary>Messages received from peers, per node and peer. Observable counter.</summary>
    public const string MessagesReceived = "overlay.messages.received";

    /// <summary>Messages the node's algorithm processed, per node. Observable counter.</summary>
    public const string MessagesProcessed = "overlay.messages.processed";

    /// <summary>Messages lost, per node and <see cref="LossCauseTag"/>. Observable counter.</summary>
    public const string MessagesLost = "overlay.messages.lost";

    /// <summary>Bytes of the messages lost, per node and <see cref="LossCauseTag"/>. Observable counter.</summary>
    public const string BytesLost = "overlay.bytes.lost";

    /// <summary>Messages waiting in a link's buffer, per node, peer and direction. Observable gauge.</summary>
    public const string LinkBuffered = "overlay.link.buffered";

    /// <summary>Round-trip times measured on downstream links, in seconds, per node and peer. Histogram.</summary>
    public const string RoundTripTime = "overlay.link.rtt";

    /// <summary>Links that failed (closed not by this node), per node, direction and <see cref="ReasonTag"/>. Counter.</summary>
    public const string LinkFailures = "overlay.link.failures";

    /// <summary>Incoming connections refused before they became links, per node and <see cref="ReasonTag"/>. Observable counter.</summary>
    public const string ConnectionsRefused = "overlay.connections.refused";

    /// <summary>Tag: the node's identity as text (<c>a.b.c.d:port</c>).</summary>
    public const string NodeTag = "overlay.node";

    /// <summary>Tag: the peer's identity as text (<c>a.b.c.d:port</c>).</summary>
    public const string PeerTag = "overlay.peer";

    /// <summary>Tag: the link's direction, <c>upstream</c> (the peer sends to this node) or <c>downstream</c>.</summary>
    public const string DirectionTag = "overlay.link.direction";

    /// <summary>Tag: why messages were lost: <c>emulated</c> (emulated loss) or <c>link_closed</c> (released unsent when their link closed).</summary>
    public const string LossCauseTag = "overlay.loss.cause";

    /// <summary>Tag: why a link failed or a connection was refused (a <see cref="Wire.WireError"/> name, or one of the link failure names in docs/diagnostics.md).</summary>
    public const string ReasonTag = "overlay.reason";
}
