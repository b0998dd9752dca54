using FsCheck;
using NUnit.Framework;
using Overlay.Algorithms.Coding;
using FsProperty = FsCheck.NUnit.PropertyAttribute;

namespace Overlay.Algorithms.Tests.Coding;

/// <summary>The RLNC encoder, decoder and packet header on their own, without nodes.</summary>
public class RlncCodingTests
{
    [FsProperty(MaxTest = 60)]
    public bool Decode_RandomCoefficients_RecoversEveryPacketExactly(PositiveInt generationSize, PositiveInt symbolLength, int seed)
    {
        var (g, length, random) = Shape(generationSize, symbolLength, seed);
        var (encoder, packets) = FullEncoder(g, length, random);
        var decoder = new RlncDecoder(g, length);
        var row = new byte[encoder.RowLength];
        var sent = 0;
        while (!decoder.IsComplete && sent < g + 20)
        {
            encoder.Encode(row, random);
            decoder.Add(row);
            sent++;
        }

        return decoder.IsComplete && Enumerable.Range(0, g).All(i => decoder.GetPacket(i).SequenceEqual(packets[i]));
    }

    [FsProperty(MaxTest = 40)]
    public bool Encode_WhileTheGenerationFills_DecodesOnceAllPacketsAreIn(PositiveInt generationSize, PositiveInt symbolLength, int seed)
    {
        var (g, length, random) = Shape(generationSize, symbolLength, seed);
        var encoder = new RlncEncoder(g, length);
        var decoder = new RlncDecoder(g, length);
        var row = new byte[encoder.RowLength];
        var packets = new byte[g][];
        for (var i = 0; i < g; i++)
        {
            packets[i] = new byte[length];
            random.NextBytes(packets[i]);
            encoder.Add(packets[i]);
            encoder.Encode(row, random);
            decoder.Add(row);
        }

        for (var extra = 0; !decoder.IsComplete && extra < 20; extra++)
        {
            encoder.Encode(row, random);
            decoder.Add(row);
        }

        return decoder.IsComplete && Enumerable.Range(0, g).All(i => decoder.GetPacket(i).SequenceEqual(packets[i]));
    }

    [FsProperty(MaxTest = 40)]
    public bool Recode_ThroughARelayThatHasNotDecoded_ReceiverRecoversEveryPacket(PositiveInt generationSize, PositiveInt symbolLength, int seed)
    {
        var (g, length, random) = Shape(generationSize, symbolLength, seed);
        var (encoder, packets) = FullEncoder(g, length, random);
        var relay = new RlncDecoder(g, length);
        var receiver = new RlncDecoder(g, length);
        var row = new byte[encoder.RowLength];

        // The relay recodes after every packet it gets, from partial rank up: it never waits to decode.
        for (var sent = 0; !receiver.IsComplete && sent < g + 20; sent++)
        {
            encoder.Encode(row, random);
            relay.Add(row);
            Assert.That(relay.Recode(row, random), Is.True);
            receiver.Add(row);
        }

        return receiver.IsComplete && Enumerable.Range(0, g).All(i => receiver.GetPacket(i).SequenceEqual(packets[i]));
    }

    [FsProperty(MaxTest = 60)]
    public void Add_CombinationOfRowsAlreadyHeld_IsNotInnovative(PositiveInt generationSize, PositiveInt symbolLength, int seed)
    {
        var (g, length, random) = Shape(generationSize, symbolLength, seed);
        g = Math.Max(2, g);
        var (encoder, _) = FullEncoder(g, length, random);
        var decoder = new RlncDecoder(g, length);
        var first = new byte[encoder.RowLength];
        var second = new byte[encoder.RowLength];
        encoder.Encode(first, random);
        encoder.Encode(second, random);
        Assert.That(decoder.Add(first), Is.True);
        var secondInnovative = decoder.Add(second);

        // c1·first + c2·second, coefficients and symbol alike, lies in the span already held.
        var combination = new byte[encoder.RowLength];
        GaloisField.Multiply(first, combination, (byte)random.Next(1, 256));
        GaloisField.MultiplyAdd(second, combination, (byte)random.Next(1, 256));
        var rank = decoder.Rank;
        if (secondInnovative)
        {
            Assert.That(decoder.Add(combination), Is.False);
            Assert.That(decoder.Rank, Is.EqualTo(rank));
        }

        Assert.That(decoder.Add(first), Is.False, "a row already held");
        Assert.That(decoder.Rank, Is.EqualTo(rank));
    }

    [Test]
    public void Add_ZeroRowAndRowsAfterFullRank_AreNotInnovative()
    {
        var random = new Random(7);
        var (encoder, _) = FullEncoder(4, 100, random);
        var decoder = new RlncDecoder(4, 100);
        var row = new byte[encoder.RowLength];
        Assert.That(decoder.Add(row), Is.False, "the zero row");
        var innovative = 0;
        while (!decoder.IsComplete)
        {
            encoder.Encode(row, random);
            innovative += decoder.Add(row) ? 1 : 0;
        }

        encoder.Encode(row, random);
        Assert.Multiple(() =>
        {
            Assert.That(innovative, Is.EqualTo(4));
            Assert.That(decoder.Add(row), Is.False);
            Assert.That(decoder.Rank, Is.EqualTo(4));
        });
    }

    [Test]
    public void Encode_KnownCoefficients_MatchesTheFieldArithmetic()
    {
        var encoder = new RlncEncoder(2, 3);
        encoder.Add([1, 2, 3]);
        encoder.Add([4, 5, 6]);
        var row = new byte[] { 3, 7, 0, 0, 0 };
        encoder.EncodeWithCoefficients(row);
        var expected = new byte[3];
        for (var i = 0; i < 3; i++)
            expected[i] = GaloisField.Add(GaloisField.Multiply(3, (byte)(1 + i)), GaloisField.Multiply(7, (byte)(4 + i)));
        Assert.That(row[2..], Is.EqualTo(expected));
    }

    [Test]
    public void BadInput_GetsClearErrors()
    {
        var encoder = new RlncEncoder(2, 3);
        var decoder = new RlncDecoder(2, 3);
        Assert.Multiple(() =>
        {
            Assert.Throws<ArgumentException>(() => encoder.Add(new byte[4]));
            Assert.Throws<InvalidOperationException>(() => encoder.Encode(new byte[5], new Random(1)), "nothing added");
            Assert.Throws<ArgumentException>(() => decoder.Add(new byte[4]));
            encoder.Add([1, 2, 3]);
            Assert.Throws<ArgumentException>(() => encoder.EncodeWithCoefficients(new byte[] { 1, 1, 0, 0, 0 }), "a coefficient for a packet not added");
            Assert.Throws<InvalidOperationException>(() => decoder.GetPacket(0), "not decoded");
            Assert.Throws<ArgumentOutOfRangeException>(() => _ = new RlncDecoder(256, 10));
            Assert.Throws<ArgumentOutOfRangeException>(() => _ = new RlncEncoder(4, 0));
        });
    }

    [Test]
    public void Header_RoundTrips_AndRejectsMalformedPayloads()
    {
        var payload = new byte[RlncPacketHeader.FixedSize + 32 + 10];
        new RlncPacketHeader(12345, 32).Write(payload);
        Assert.Multiple(() =>
        {
            Assert.That(RlncPacketHeader.TryRead(payload, out var header), Is.True);
            Assert.That(header, Is.EqualTo(new RlncPacketHeader(12345, 32)));
            Assert.That(header.Length, Is.EqualTo(38));
            Assert.That(RlncPacketHeader.TryRead(payload.AsSpan(0, 5), out _), Is.False, "truncated header");
            Assert.That(RlncPacketHeader.TryRead(payload.AsSpan(0, RlncPacketHeader.FixedSize + 32), out _), Is.False, "no symbol");
            new RlncPacketHeader(1, 0).Write(payload);
            Assert.That(RlncPacketHeader.TryRead(payload, out _), Is.False, "generation size 0");
            new RlncPacketHeader(-1, 4).Write(payload);
            Assert.That(RlncPacketHeader.TryRead(payload, out _), Is.False, "negative generation");
        });
    }

    // FsCheck draws small integers; spreading them gives symbols from 1 byte to several kilobytes.
    private static (int G, int Length, Random Random) Shape(PositiveInt generationSize, PositiveInt symbolLength, int seed) =>
        (1 + ((generationSize.Get - 1) % 64), 1 + (symbolLength.Get * 97 % 6000), new Random(seed));

    private static (RlncEncoder Encoder, byte[][] Packets) FullEncoder(int g, int length, Random random)
    {
        var encoder = new RlncEncoder(g, length);
        var packets = new byte[g][];
        for (var i = 0; i < g; i++)
        {
            packets[i] = new byte[length];
            random.NextBytes(packets[i]);
            encoder.Add(packets[i]);
        }

        return (encoder, packets);
    }
}
