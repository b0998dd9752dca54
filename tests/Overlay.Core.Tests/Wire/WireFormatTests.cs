using System.Buffers.Binary;
using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Overlay.Buffers;
using Overlay.Core.Tests.Support;
using Overlay.Transport;
using Overlay.Wire;
using FsProperty = FsCheck.NUnit.PropertyAttribute;

namespace Overlay.Core.Tests.Wire;

public class WireFormatTests
{
    private const int MaxPayload = 64 * 1024;

    [FsProperty(MaxTest = 300, Arbitrary = [typeof(Generators)])]
    public Property Header_RoundTrips(MessageHeader header)
    {
        var bytes = new byte[MessageHeader.Size];
        header.Write(bytes);
        var ok = MessageHeader.TryRead(bytes, MaxPayload, out var decoded) == WireError.None && decoded == header;
        return ok.ToProperty()
            .Classify(header.Type >= 1 << 24, "type ≥ 2^24")
            .Classify(header.Sender.Address >= 1u << 31, "address ≥ 2^31")
            .Classify(header.ApplicationId < 0 || header.SequenceNumber < 0, "negative application or sequence")
            .Classify(header.PayloadLength >= 4096, "length ≥ 4 KiB");
    }

    [FsProperty(MaxTest = 200, Arbitrary = [typeof(Generators)])]
    public Property Frames_RoundTripThroughReader_ForAnyHeadersAndPayloads(FrameBatch batch)
    {
        var pool = new MessagePool();
        var random = new Random(batch.Seed);
        var expected = new List<(MessageHeader Header, byte[] Payload)>();
        using var stream = new MemoryStream();
        foreach (var length in batch.Lengths)
        {
            var payload = new byte[length];
            random.NextBytes(payload);
            var header = new MessageHeader(
                random.Next(1, MessageTypes.EngineReservedStart),
                new NodeId((uint)random.Next(), (ushort)random.Next(65536)),
                random.Next(),
                random.Next(),
                payload.Length);
            var frame = new byte[MessageHeader.Size + payload.Length];
            header.Write(frame);
            payload.CopyTo(frame, MessageHeader.Size);
            stream.Write(frame);
            expected.Add((header, payload));
        }

        var sink = new CollectingSink();
        using (var reader = new FrameReader(pool, MaxPayload))
            reader.RunAsync(new ChunkedSource(stream.ToArray(), batch.Seed), sink, CancellationToken.None).GetAwaiter().GetResult();
        var ok = sink.Messages.Count == expected.Count;
        for (var i = 0; ok && i < expected.Count; i++)
            ok = sink.Messages[i].Header == expected[i].Header && sink.Messages[i].Payload.SequenceEqual(expected[i].Payload);
        sink.ReleaseAll();
        var largest = batch.Lengths.Length == 0 ? 0 : batch.Lengths.Max();
        return (ok && pool.Outstanding == 0).ToProperty()
            .Classify(batch.Lengths.Length >= 5, "≥ 5 frames")
            .Classify(largest >= 16 * 1024, "a payload ≥ 16 KiB")
            .Classify(batch.Lengths.Contains(0), "an empty payload");
    }

    [Test]
    public async Task Reader_MaximumPayload_RoundTrips()
    {
        var pool = new MessagePool();
        var payload = new byte[1024 * 1024];
        new Random(7).NextBytes(payload);
        var frame = new byte[MessageHeader.Size + payload.Length];
        new MessageHeader(MessageTypes.Data, new NodeId(0x7F000001, 9), 3, 4, payload.Length).Write(frame);
        payload.CopyTo(frame, MessageHeader.Size);
        var sink = new CollectingSink();
        using (var reader = new FrameReader(pool, payload.Length))
            await reader.RunAsync(new ChunkedSource(frame, 1), sink, CancellationToken.None);
        Assert.That(sink.Messages, Has.Count.EqualTo(1));
        Assert.That(sink.Messages[0].Payload.SequenceEqual(payload), Is.True);
        sink.ReleaseAll();
        Assert.That(pool.Outstanding, Is.Zero);
    }

    // Pure garbage, garbage behind a valid header (so the reader takes one frame and then decodes garbage as the next
    // header), and valid frames with a few bytes corrupted (so the damage lands in later headers and payloads).
    [FsProperty(MaxTest = 500, Arbitrary = [typeof(Generators)])]
    public Property Reader_AnyByteStream_YieldsMessagesOrTypedError(ByteStream stream)
    {
        const int Limit = 1000;
        var pool = new MessagePool();
        var sink = new CollectingSink();
        var reader = new FrameReader(pool, Limit);
        var run = reader.RunAsync(new ChunkedSource(stream.Data, stream.Seed), sink, CancellationToken.None);
        bool finished;
        try
        {
            finished = run.Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
            finished = true;
        }

        var typed = run.Exception is null || run.Exception.InnerException is WireFormatException;
        var bounded = sink.Messages.TrueForAll(m => m.PayloadLength <= Limit);
        var messages = sink.Messages.Count;
        reader.Dispose();
        sink.ReleaseAll();
        var outcome = run.Exception?.InnerException is WireFormatException error ? error.Error.ToString() : run.IsCompletedSuccessfully ? "clean end" : "other";
        return (finished && typed && bounded && pool.Outstanding == 0).ToProperty()
            .Collect($"{stream.Kind}: {(messages >= 2 ? "2+" : messages.ToString(CultureInfo.InvariantCulture))} frames, then {outcome}");
    }

    [TestCase(0, WireError.UnknownType)]
    [TestCase(-5, WireError.UnknownType)]
    [TestCase(MessageTypes.BrokenUpstream, WireError.UnknownType)]
    public void Header_InvalidType_IsRefused(int type, WireError expected)
    {
        var bytes = new byte[MessageHeader.Size];
        new MessageHeader(type, default, 0, 0, 0).Write(bytes);
        Assert.That(MessageHeader.TryRead(bytes, 100, out _), Is.EqualTo(expected));
    }

    [Test]
    public void Header_NegativeOrOversizedLength_IsRefused()
    {
        var bytes = new byte[MessageHeader.Size];
        new MessageHeader(MessageTypes.Data, default, 0, 0, 0).Write(bytes);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(20), -1);
        Assert.That(MessageHeader.TryRead(bytes, 100, out _), Is.EqualTo(WireError.NegativeLength));
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(20), int.MaxValue);
        Assert.That(MessageHeader.TryRead(bytes, 100, out _), Is.EqualTo(WireError.OversizedPayload));
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(20), 101);
        Assert.That(MessageHeader.TryRead(bytes, 100, out _), Is.EqualTo(WireError.OversizedPayload));
    }

    [Test]
    public void Header_PortOutOfRange_IsRefused()
    {
        var bytes = new byte[MessageHeader.Size];
        new MessageHeader(MessageTypes.Data, default, 0, 0, 0).Write(bytes);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), 70000);
        Assert.That(MessageHeader.TryRead(bytes, 100, out _), Is.EqualTo(WireError.BadSender));
    }

    [Test]
    public async Task Reader_TwoGigabyteClaim_FailsWithoutAllocating()
    {
        var pool = new MessagePool();
        var bytes = new byte[MessageHeader.Size];
        new MessageHeader(MessageTypes.Data, default, 0, 0, 0).Write(bytes);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(20), int.MaxValue);
        using var reader = new FrameReader(pool, 1024 * 1024);
        var error = await Assert.ThrowsAsync<WireFormatException>(() => reader.RunAsync(new ChunkedSource(bytes, 1), new CollectingSink(), CancellationToken.None));
        Assert.That(error!.Error, Is.EqualTo(WireError.OversizedPayload));
        Assert.That(pool.TotalRented, Is.Zero);
    }

    [Test]
    public async Task Reader_TruncatedFrame_IsTypedError()
    {
        var pool = new MessagePool();
        var frame = new byte[MessageHeader.Size + 50];
        new MessageHeader(MessageTypes.Data, default, 0, 0, 100).Write(frame);
        using var reader = new FrameReader(pool, 1000);
        var error = await Assert.ThrowsAsync<WireFormatException>(() => reader.RunAsync(new ChunkedSource(frame, 3), new CollectingSink(), CancellationToken.None));
        Assert.That(error!.Error, Is.EqualTo(WireError.Truncated));
        Assert.That(pool.Outstanding, Is.Zero);
    }

    [FsProperty(MaxTest = 200, Arbitrary = [typeof(Generators)])]
    public Property Handshake_RoundTrips(HandshakeFields fields)
    {
        // The handshake type is internal; the property takes its fields.
        var handshake = new Handshake(new NodeId(fields.Address, fields.Port), fields.OverlayId, (HandshakeFlags)fields.Flags);
        var bytes = new byte[Handshake.Size];
        handshake.Write(bytes);
        var ok = Handshake.TryRead(bytes, out var decoded) == WireError.None && decoded == handshake;
        return ok.ToProperty()
            .Classify(handshake.ListenEndpoint.Address >= 1u << 31, "address ≥ 2^31")
            .Classify(handshake.ListenEndpoint.Port >= 1024, "port ≥ 1024")
            .Classify(handshake.OverlayId >= 1u << 31, "overlay id ≥ 2^31");
    }

    [Test]
    public void Handshake_BadMagicVersionOrReserved_IsRefused()
    {
        var bytes = new byte[Handshake.Size];
        new Handshake(new NodeId(1, 2), 3).Write(bytes);
        var corrupt = (byte[])bytes.Clone();
        corrupt[0] ^= 0xFF;
        Assert.That(Handshake.TryRead(corrupt, out _), Is.EqualTo(WireError.BadMagic));
        corrupt = (byte[])bytes.Clone();
        corrupt[5] = 9;
        Assert.That(Handshake.TryRead(corrupt, out _), Is.EqualTo(WireError.UnsupportedVersion));
        corrupt = (byte[])bytes.Clone();
        corrupt[23] = 1;
        Assert.That(Handshake.TryRead(corrupt, out _), Is.EqualTo(WireError.BadHandshake));
        Assert.That(Handshake.TryRead(bytes.AsSpan(0, 10), out _), Is.EqualTo(WireError.Truncated));
    }

    /// <summary>Payload lengths of a run of frames, and the seed for their headers, contents and read chunks.</summary>
    public sealed record FrameBatch(int[] Lengths, int Seed)
    {
        public override string ToString() => $"lengths [{string.Join(", ", Lengths)}], seed {Seed}";
    }

    /// <summary>A byte stream to feed the reader, how it was made, and the seed for its read chunks.</summary>
    public sealed record ByteStream(string Kind, byte[] Data, int Seed)
    {
        public override string ToString() => $"{Kind}: {Data.Length} bytes {Convert.ToHexString(Data.AsSpan(0, Math.Min(64, Data.Length)))}…, seed {Seed}";
    }

    /// <summary>The fields of a handshake.</summary>
    public sealed record HandshakeFields(uint Address, ushort Port, uint OverlayId, ushort Flags);

    /// <summary>Every header field over its whole range; streams up to 8 KiB, many times the reader's 1,000-byte limit.</summary>
    public static class Generators
    {
        public static Arbitrary<MessageHeader> MessageHeaders() =>
            (from type in Gen.Choose(1, MessageTypes.EngineReservedStart - 1)
             from address in Spread.AnyUInt32
             from port in Gen.Choose(0, ushort.MaxValue)
             from application in Spread.AnyUInt32
             from sequence in Spread.AnyUInt32
             from length in Spread.LogUniform(0, MaxPayload)
             select new MessageHeader(type, new NodeId(address, (ushort)port), (int)application, (int)sequence, length)).ToArbitrary();

        public static Arbitrary<HandshakeFields> Handshakes() =>
            (from address in Spread.AnyUInt32
             from port in Gen.Choose(1, ushort.MaxValue)
             from overlay in Spread.AnyUInt32
             from flags in Gen.Elements(HandshakeFlags.None, HandshakeFlags.Observer, HandshakeFlags.Authenticated, HandshakeFlags.All)
             select new HandshakeFields(address, (ushort)port, overlay, (ushort)flags)).ToArbitrary();

        public static Arbitrary<FrameBatch> FrameBatches() =>
            (from count in Gen.Choose(0, 12)
             from lengths in Gen.ArrayOf(Spread.LogUniform(0, MaxPayload), count)
             from seed in Gen.Choose(int.MinValue, int.MaxValue)
             select new FrameBatch(lengths, seed)).ToArbitrary();

        public static Arbitrary<ByteStream> ByteStreams() =>
            (from kind in Gen.Elements("garbage", "frame then garbage", "corrupted frames")
             from length in Spread.LogUniform(0, 8192)
             from seed in Gen.Choose(int.MinValue, int.MaxValue)
             select Make(kind, length, seed)).ToArbitrary();

        private static ByteStream Make(string kind, int length, int seed)
        {
            var random = new Random(seed);
            var garbage = new byte[length];
            random.NextBytes(garbage);
            switch (kind)
            {
                case "frame then garbage":
                {
                    // A valid header whose payload ends inside the garbage: the rest is decoded as further frames.
                    var header = new byte[MessageHeader.Size];
                    new MessageHeader(MessageTypes.Data, new NodeId(1, 2), 1, 2, random.Next(0, Math.Min(length, 1000) + 1)).Write(header);
                    return new ByteStream(kind, [.. header, .. garbage], seed);
                }

                case "corrupted frames":
                {
                    // Valid frames of up to 1,050 bytes (one in twenty over the limit), then a few bytes overwritten anywhere.
                    using var frames = new MemoryStream();
                    var sequence = 0;
                    while (frames.Length < length)
                    {
                        var payload = new byte[random.Next(0, 1050)];
                        var frame = new byte[MessageHeader.Size + payload.Length];
                        new MessageHeader(MessageTypes.Data, new NodeId((uint)random.Next(), (ushort)random.Next(65536)), 1, sequence++, payload.Length).Write(frame);
                        frames.Write(frame);
                    }

                    var data = frames.ToArray();
                    for (var i = data.Length == 0 ? 0 : random.Next(0, 4); i > 0; i--)
                        data[random.Next(data.Length)] = (byte)random.Next(256);
                    return new ByteStream(kind, data, seed);
                }

                default:
                    return new ByteStream(kind, garbage, seed);
            }
        }
    }
}
