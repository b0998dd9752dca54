using System.Buffers.Binary;

namespace Overlay.Algorithms.Coding;

/// <summary>
/// The 16 bytes in front of a butterfly-coded payload: the sequence number and payload length of the pair's first
/// (even) and second (odd) message, little-endian. The XOR of both payloads, each zero-padded to the longer one,
/// follows.
/// </summary>
internal readonly record struct ButterflyCodedHeader(int FirstSequence, int FirstLength, int SecondSequence, int SecondLength)
{
    /// <summary>Bytes the header takes in front of the coded bytes.</summary>
    public const int Size = 16;

    /// <summary>Length of the coded bytes after the header.</summary>
    public int CodedLength => Math.Max(FirstLength, SecondLength);

    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteInt32LittleEndian(destination, FirstSequence);
        BinaryPrimitives.WriteInt32LittleEndian(destination[4..], FirstLength);
        BinaryPrimitives.WriteInt32LittleEndian(destination[8..], SecondSequence);
        BinaryPrimitives.WriteInt32LittleEndian(destination[12..], SecondLength);
    }

    /// <summary>Reads and validates a header: the sequence numbers must form a pair and the lengths fit the payload.</summary>
    public static bool TryRead(ReadOnlySpan<byte> payload, out ButterflyCodedHeader header)
    {
        header = default;
        if (payload.Length < Size)
            return false;
        var candidate = new ButterflyCodedHeader(
            BinaryPrimitives.ReadInt32LittleEndian(payload),
            BinaryPrimitives.ReadInt32LittleEndian(payload[4..]),
            BinaryPrimitives.ReadInt32LittleEndian(payload[8..]),
            BinaryPrimitives.ReadInt32LittleEndian(payload[12..]));
        if ((candidate.FirstSequence & 1) != 0 || candidate.SecondSequence != unchecked(candidate.FirstSequence + 1)
            || candidate.FirstLength < 0 || candidate.SecondLength < 0 || payload.Length != Size + candidate.CodedLength)
            return false;
        header = candidate;
        return true;
    }
}
