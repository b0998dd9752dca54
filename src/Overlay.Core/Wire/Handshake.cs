using System.Buffers.Binary;

namespace Overlay.Wire;

/// <summary>
/// The first frame on every connection, 24 bytes, big-endian:
/// magic "OVLY" (4), version (2), flags (2), listening IPv4 (4), listening port (2), reserved (2),
/// overlay id (4), reserved (4).
/// </summary>
/// <remarks>
/// The listening endpoint lets an accepting node learn the identity of the peer that connected
/// (its source port is ephemeral). Reserved fields must be zero so that later versions can use them.
/// </remarks>
internal readonly record struct Handshake(NodeId ListenEndpoint, uint OverlayId, HandshakeFlags Flags = HandshakeFlags.None)
{
    /// <summary>Size of an encoded handshake in bytes.</summary>
    public const int Size = 24;

    /// <summary>"OVLY" read big-endian.</summary>
    public const uint Magic = 0x4F564C59;

    /// <summary>The protocol version this build speaks.</summary>
    public const ushort CurrentVersion = 1;

    /// <summary>Writes the handshake into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        if (destination.Length < Size)
            throw new ArgumentException("Destination is shorter than a handshake.", nameof(destination));
        destination[..Size].Clear();
        BinaryPrimitives.WriteUInt32BigEndian(destination, Magic);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], CurrentVersion);
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], (ushort)Flags);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], ListenEndpoint.Address);
        BinaryPrimitives.WriteUInt16BigEndian(destination[12..], ListenEndpoint.Port);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], OverlayId);
    }

    /// <summary>Decodes and validates a handshake; never throws for bad input.</summary>
    public static WireError TryRead(ReadOnlySpan<byte> source, out Handshake handshake)
    {
        handshake = default;
        if (source.Length < Size)
            return WireError.Truncated;
        if (BinaryPrimitives.ReadUInt32BigEndian(source) != Magic)
            return WireError.BadMagic;
        if (BinaryPrimitives.ReadUInt16BigEndian(source[4..]) != CurrentVersion)
            return WireError.UnsupportedVersion;
        var flags = (HandshakeFlags)BinaryPrimitives.ReadUInt16BigEndian(source[6..]);
        if ((flags & ~HandshakeFlags.All) != 0)
            return WireError.BadHandshake;
        var address = BinaryPrimitives.ReadUInt32BigEndian(source[8..]);
        var port = BinaryPrimitives.ReadUInt16BigEndian(source[12..]);
        if (BinaryPrimitives.ReadUInt16BigEndian(source[14..]) != 0 || BinaryPrimitives.ReadUInt32BigEndian(source[20..]) != 0)
            return WireError.BadHandshake;
        if (port == 0)
            return WireError.BadHandshake;
        handshake = new Handshake(new NodeId(address, port), BinaryPrimitives.ReadUInt32BigEndian(source[16..]), flags);
        return WireError.None;
    }
}
