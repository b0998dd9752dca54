namespace Overlay.Wire;

/// <summary>A peer sent bytes that are not a valid handshake or frame. The link that carried them is closed.</summary>
public sealed class WireFormatException : Exception
{
    /// <summary>Creates the exception for <paramref name="error"/>.</summary>
    public WireFormatException(WireError error)
        : base(Describe(error))
    {
        Error = error;
    }

    /// <summary>Creates the exception with a message of its own.</summary>
    public WireFormatException(WireError error, string message)
        : base(message)
    {
        Error = error;
    }

    /// <summary>Unused; present for the standard exception constructors.</summary>
    public WireFormatException()
        : this(WireError.None)
    {
    }

    /// <summary>Unused; present for the standard exception constructors.</summary>
    public WireFormatException(string message)
        : this(WireError.None, message)
    {
    }

    /// <summary>Unused; present for the standard exception constructors.</summary>
    public WireFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Why the bytes were refused.</summary>
    public WireError Error { get; }

    private static string Describe(WireError error) => error switch
    {
        WireError.Truncated => "The stream ended inside a handshake or frame.",
        WireError.BadMagic => "The handshake has the wrong magic number.",
        WireError.UnsupportedVersion => "The handshake names an unsupported protocol version.",
        WireError.WrongOverlay => "The handshake comes from another overlay.",
        WireError.BadHandshake => "The handshake is malformed.",
        WireError.UnknownType => "The frame has an unknown or local-only message type.",
        WireError.BadSender => "The frame's sender port is out of range.",
        WireError.NegativeLength => "The frame's payload length is negative.",
        WireError.OversizedPayload => "The frame's payload length exceeds the maximum.",
        WireError.HandshakeTimeout => "The peer did not complete its handshake in time.",
        WireError.AuthenticationFailed => "The peer failed authentication.",
        WireError.NotAllowed => "An observer or control frame arrived on a node-to-node link.",
        WireError.Silent => "The peer went silent for longer than the failure time-out.",
        WireError.ConnectionReset => "The connection failed before its handshake completed.",
        WireError.TooManyHandshakes => "Too many connections were in their handshake.",
        WireError.PartialMessageBudget => "The budget for partly received messages ran out and this link's message was the slowest.",
        _ => "Malformed input.",
    };
}
