using NUnit.Framework;
using Overlay.Algorithms.Coding;

namespace Overlay.Algorithms.Tests.Coding;

/// <summary>
/// Golden byte vectors for the coded headers that travel between nodes, written out by hand from the documented
/// layouts (little-endian), so a change of layout fails here even when writer and reader change together.
/// </summary>
public class CodingWireBytesTests
{
    // generation 0x01020304 (int32 LE) | generation size 32 (uint16 LE)
    private static readonly byte[] RlncBytes = [0x04, 0x03, 0x02, 0x01, 0x20, 0x00];

    // first sequence 0x10 | first length 0x0102 | second sequence 0x11 | second length 0x0304, each int32 LE
    private static readonly byte[] ButterflyBytes =
    [
        0x10, 0x00, 0x00, 0x00,
        0x02, 0x01, 0x00, 0x00,
        0x11, 0x00, 0x00, 0x00,
        0x04, 0x03, 0x00, 0x00,
    ];

    [Test]
    public void RlncPacketHeader_Write_GenerationThenSize_LittleEndian()
    {
        var payload = new byte[RlncPacketHeader.FixedSize];
        new RlncPacketHeader(0x01020304, 32).Write(payload);
        Assert.That(Convert.ToHexString(payload), Is.EqualTo(Convert.ToHexString(RlncBytes)));
    }

    [Test]
    public void RlncPacketHeader_TryRead_DecodesTheGoldenBytes_CoefficientsFollowAtSix()
    {
        // The 32 coefficients start right after the fixed part, then a one-byte symbol.
        byte[] payload = [.. RlncBytes, .. Enumerable.Range(1, 32).Select(i => (byte)i), 0x77];
        Assert.That(RlncPacketHeader.TryRead(payload, out var header), Is.True);
        Assert.That(header, Is.EqualTo(new RlncPacketHeader(0x01020304, 32)));
        Assert.That(header.Length, Is.EqualTo(38));
        Assert.That(payload[header.Length - 32], Is.EqualTo(1), "first coefficient at offset 6");
        Assert.That(payload[header.Length], Is.EqualTo(0x77), "the symbol at offset 6 + g");
    }

    [Test]
    public void ButterflyCodedHeader_Write_FirstPairThenSecond_LittleEndian()
    {
        var payload = new byte[ButterflyCodedHeader.Size];
        new ButterflyCodedHeader(0x10, 0x0102, 0x11, 0x0304).Write(payload);
        Assert.That(Convert.ToHexString(payload), Is.EqualTo(Convert.ToHexString(ButterflyBytes)));
    }

    [Test]
    public void ButterflyCodedHeader_TryRead_DecodesTheGoldenBytes()
    {
        byte[] payload = [.. ButterflyBytes, .. new byte[0x0304]];
        Assert.That(ButterflyCodedHeader.TryRead(payload, out var header), Is.True);
        Assert.That(header, Is.EqualTo(new ButterflyCodedHeader(0x10, 0x0102, 0x11, 0x0304)));
    }
}
