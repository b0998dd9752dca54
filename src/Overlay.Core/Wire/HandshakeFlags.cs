namespace Overlay.Wire;

/// <summary>Bits of the handshake's flags field.</summary>
[Flags]
internal enum HandshakeFlags : ushort
{
    /// <summary>No flags.</summary>
    None = 0,

    /// <summary>The connecting side is an observer, not a node.</summary>
    Observer = 1,

    /// <summary>The sender proves knowledge of the overlay's shared secret: a 16-byte nonce follows the handshake.</summary>
    Authenticated = 2,

    /// <summary>Every flag this version defines.</summary>
    All = Observer | Authenticated,
}
