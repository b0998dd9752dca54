using System.Buffers.Binary;

namespace Overlay.Algorithms.Coding;

/// <summary>
/// The front of an RLNC packet's payload: generation id (int32, little-endian) and generation size g (uint16,
/// little-endian), then the coded row — g coefficient bytes followed by the coded symbol.
/// </summary>
/// <remarks>
/// The coefficient vector travels in full rather than as a seed: a relay's recoded packet is a combination of
/// packets it received, whose coefficients no seed regenerates. For g = 32 and 5 KB symbols it costs 38 bytes,
/// 0.7 % of the packet.
/// </remarks>
/// <param name="Generation">Which generation the packet codes: its source messages are
/// <c>Generation · g … Generation · g + g − 1</c>.</param>
/// <param name="GenerationSize">Source packets per generation, g: 1 to <see cref="MaxGenerationSize"/>.</param>
public readonly record struct RlncPacketHeader(int Generation, int GenerationSize)
{
    /// <summary>Bytes before the coded row.</summary>
    public const int FixedSize = 6;

    /// <summary>The largest generation the header describes (and the decoder accepts).</summary>
    public const int MaxGenerationSize = 255;

    /// <summary>Bytes before the coded row plus the coefficient vector: where the symbol starts.</summary>
    public int Length => FixedSize + GenerationSize;

    /// <summary>The payload length of a packet with <paramref name="symbolLength"/>-byte symbols.</summary>
    public int PayloadLength(int symbolLength) => Length + symbolLength;

    /// <summary>Writes the fixed part; the coded row follows at <see cref="FixedSize"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="payload"/> is shorter than <see cref="FixedSize"/>.</exception>
    public void Write(Span<byte> payload)
    {
        if (payload.Length < FixedSize)
            throw new ArgumentException($"An RLNC header needs {FixedSize} bytes.", nameof(payload));
        BinaryPrimitives.WriteInt32LittleEndian(payload, Generation);
        BinaryPrimitives.WriteUInt16LittleEndian(payload[4..], (ushort)GenerationSize);
    }

    /// <summary>Reads a header and checks that the payload holds a full coefficient vector and a non-empty symbol.</summary>
    /// <returns>False for a payload that is not a well-formed RLNC packet.</returns>
    public static bool TryRead(ReadOnlySpan<byte> payload, out RlncPacketHeader header)
    {
        header = default;
        if (payload.Length < FixedSize)
            return false;
        var generation = BinaryPrimitives.ReadInt32LittleEndian(payload);
        int size = BinaryPrimitives.ReadUInt16LittleEndian(payload[4..]);
        if (generation < 0 || size < 1 || size > MaxGenerationSize || payload.Length <= FixedSize + size)
            return false;
        header = new RlncPacketHeader(generation, size);
        return true;
    }
}
