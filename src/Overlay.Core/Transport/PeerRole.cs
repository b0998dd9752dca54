namespace Overlay.Transport;

/// <summary>What the far end of a connection a node opens must be (<see cref="ITransport.ConnectAsync"/>).</summary>
public enum PeerRole
{
    /// <summary>Another node of the overlay, whose handshake names the identity that was dialled.</summary>
    Node,

    /// <summary>The overlay's observer, whose handshake carries the observer flag.</summary>
    Observer,
}
