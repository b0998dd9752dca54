using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Overlay;

/// <summary>How an application data source produces its messages.</summary>
public sealed class SourceOptions
{
    // Added to the pattern word from one 8-byte word to the next. Odd, so the words of a payload never repeat.
    private const ulong PatternStep = 0x9E3779B97F4A7C15;

    // From one vector of pattern words to the next.
    private const ulong VectorPatternStep = unchecked(PatternStep * 4);

    /// <summary>Payload bytes per message.</summary>
    /// <remarks>Defaults to 5,120 (the paper's 5 KB messages).</remarks>
    public int PayloadLength { get; set; } = 5 * 1024;

    /// <summary>How many messages to produce before the source ends (the algorithm then gets <see cref="MessageTypes.SourceCompleted"/>); null for no end.</summary>
    /// <remarks>Defaults to null.</remarks>
    public long? MessageLimit { get; set; }

    /// <summary>
    /// Fills each new message's payload. Runs on the node's loop. Null writes the pattern of
    /// <see cref="FillPattern"/>, which a receiver can check with <see cref="IsPattern"/>.
    /// </summary>
    /// <remarks>Defaults to null.</remarks>
    public Action<Message>? Fill { get; set; }

    /// <summary>Writes a payload that depends on the sequence number and application, so corruption and mix-ups show.</summary>
    /// <remarks>
    /// The payload is the little-endian bytes of 64-bit words <c>seed + i * step</c>, where the seed is a bijective
    /// mix of the application id and sequence number: two different headers differ in every word. The source runs
    /// this for every message it produces, so it is written a vector at a time rather than a byte at a time.
    /// </remarks>
    public static void FillPattern(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var payload = message.Payload;
        var seed = PatternSeed(message);
        var words = MemoryMarshal.Cast<byte, ulong>(payload);
        var i = 0;

        // The vector path writes words in memory order, which matches the little-endian definition only on
        // little-endian machines; others take the scalar path.
        if (Vector256.IsHardwareAccelerated && BitConverter.IsLittleEndian && words.Length >= Vector256<ulong>.Count)
        {
            ref var start = ref MemoryMarshal.GetReference(words);
            var value = FirstPatternVector(seed);
            var step = Vector256.Create(VectorPatternStep);
            for (; i <= words.Length - Vector256<ulong>.Count; i += Vector256<ulong>.Count)
            {
                value.StoreUnsafe(ref start, (nuint)i);
                value += step;
            }
        }

        for (; i < words.Length; i++)
            words[i] = ToLittleEndian(PatternWord(seed, i));

        var tail = payload[(words.Length * sizeof(ulong))..];
        if (!tail.IsEmpty)
        {
            Span<byte> last = stackalloc byte[sizeof(ulong)];
            BinaryPrimitives.WriteUInt64LittleEndian(last, PatternWord(seed, words.Length));
            last[..tail.Length].CopyTo(tail);
        }
    }

    /// <summary>True when the payload is exactly what <see cref="FillPattern"/> writes for this message's header.</summary>
    public static bool IsPattern(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        ReadOnlySpan<byte> payload = message.Payload;
        var seed = PatternSeed(message);
        var words = MemoryMarshal.Cast<byte, ulong>(payload);
        var i = 0;
        if (Vector256.IsHardwareAccelerated && BitConverter.IsLittleEndian && words.Length >= Vector256<ulong>.Count)
        {
            ref var start = ref MemoryMarshal.GetReference(words);
            var value = FirstPatternVector(seed);
            var step = Vector256.Create(VectorPatternStep);
            for (; i <= words.Length - Vector256<ulong>.Count; i += Vector256<ulong>.Count)
            {
                if (Vector256.LoadUnsafe(ref start, (nuint)i) != value)
                    return false;
                value += step;
            }
        }

        for (; i < words.Length; i++)
        {
            if (words[i] != ToLittleEndian(PatternWord(seed, i)))
                return false;
        }

        var tail = payload[(words.Length * sizeof(ulong))..];
        if (tail.IsEmpty)
            return true;
        Span<byte> last = stackalloc byte[sizeof(ulong)];
        BinaryPrimitives.WriteUInt64LittleEndian(last, PatternWord(seed, words.Length));
        return tail.SequenceEqual(last[..tail.Length]);
    }

    internal SourceOptions Copy() => new() { PayloadLength = PayloadLength, MessageLimit = MessageLimit, Fill = Fill };

    // The SplitMix64 finalizer of (application, sequence): a bijection, so distinct headers get distinct seeds,
    // and consecutive sequence numbers get unrelated ones.
    private static ulong PatternSeed(Message message)
    {
        var x = ((ulong)(uint)message.ApplicationId << 32) | (uint)message.SequenceNumber;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EB;
        return x ^ (x >> 31);
    }

    private static Vector256<ulong> FirstPatternVector(ulong seed) =>
        Vector256.Create(seed, PatternWord(seed, 1), PatternWord(seed, 2), PatternWord(seed, 3));

    private static ulong PatternWord(ulong seed, int index) => seed + ((ulong)index * PatternStep);

    private static ulong ToLittleEndian(ulong value) => BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value);
}
