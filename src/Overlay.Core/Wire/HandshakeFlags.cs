namespace Overlay.Wire;

/// <summary>Bits of the handshake's flags field.</summary>
[Flags]
public enum HandshakeFlags : ushort
{
    /// <summary>No flags.</summary>
    None = 0,

    /// <summary>The connecting side is an observer, not a node.</summary>
    Observer = 1,

    /// <summary>Every flag this version defines.</summary>
    All = Observer,
}
