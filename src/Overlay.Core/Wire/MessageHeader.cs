using System.Buffers.Binary;

namespace Overlay.Wire;

/// <summary>
/// The fixed 24-byte message header of iOverlay's Fig. 3, big-endian on the wire:
/// type (4), original sender IPv4 (4), sender port (4), application id (4), sequence number (4), payload length (4).
/// </summary>
public readonly record struct MessageHeader(int Type, NodeId Sender, int ApplicationId, int SequenceNumber, int PayloadLength)
{
    /// <summary>Size of an encoded header in bytes.</summary>
    public const int Size = 24;

    /// <summary>Writes the header into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        if (destination.Length < Size)
            throw new ArgumentException("Destination is shorter than a header.", nameof(destination));
        BinaryPrimitives.WriteInt32BigEndian(destination, Type);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], Sender.Address);
        BinaryPrimitives.WriteInt32BigEndian(destination[8..], Sender.Port);
        BinaryPrimitives.WriteInt32BigEndian(destination[12..], ApplicationId);
        BinaryPrimitives.WriteInt32BigEndian(destination[16..], SequenceNumber);
        BinaryPrimitives.WriteInt32BigEndian(destination[20..], PayloadLength);
    }

    /// <summary>
    /// Decodes and validates a header. Never throws for bad input: returns the reason instead.
    /// </summary>
    /// <param name="source">At least <see cref="Size"/> bytes.</param>
    /// <param name="maxPayloadLength">The largest payload this side accepts.</param>
    /// <param name="header">The decoded header when the result is <see cref="WireError.None"/>.</param>
    public static WireError TryRead(ReadOnlySpan<byte> source, int maxPayloadLength, out MessageHeader header)
    {
        header = default;
        if (source.Length < Size)
            return WireError.Truncated;
        var type = BinaryPrimitives.ReadInt32BigEndian(source);
        var address = BinaryPrimitives.ReadUInt32BigEndian(source[4..]);
        var port = BinaryPrimitives.ReadInt32BigEndian(source[8..]);
        var application = BinaryPrimitives.ReadInt32BigEndian(source[12..]);
        var sequence = BinaryPrimitives.ReadInt32BigEndian(source[16..]);
        var length = BinaryPrimitives.ReadInt32BigEndian(source[20..]);
        if (!MessageTypes.IsValidOnWire(type))
            return WireError.UnknownType;
        if ((uint)port > ushort.MaxValue)
            return WireError.BadSender;
        if (length < 0)
            return WireError.NegativeLength;
        if (length > maxPayloadLength)
            return WireError.OversizedPayload;
        header = new MessageHeader(type, new NodeId(address, (ushort)port), application, sequence, length);
        return WireError.None;
    }
}
