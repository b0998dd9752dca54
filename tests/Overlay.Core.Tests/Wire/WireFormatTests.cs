using System.Buffers.Binary;
using FsCheck;
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

    [FsProperty(MaxTest = 300)]
    public bool Header_RoundTrips(PositiveInt type, uint address, ushort port, int application, int sequence, NonNegativeInt length)
    {
        var messageType = type.Get % MessageTypes.EngineReservedStart;
        if (messageType == 0)
            messageType = MessageTypes.Data;
        var header = new MessageHeader(messageType, new NodeId(address, port), application, sequence, length.Get % (MaxPayload + 1));
        var bytes = new byte[MessageHeader.Size];
        header.Write(bytes);
        return MessageHeader.TryRead(bytes, MaxPayload, out var decoded) == WireError.None && decoded == header;
    }

    [FsProperty(MaxTest = 200)]
    public bool Frames_RoundTripThroughReader_ForAnyHeadersAndPayloads(byte[][] payloads, int seed)
    {
        var pool = new MessagePool();
        var random = new Random(seed);
        var expected = new List<(MessageHeader Header, byte[] Payload)>();
        using var stream = new MemoryStream();
        foreach (var payload in payloads)
        {
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
            reader.RunAsync(new ChunkedSource(stream.ToArray(), seed), sink, CancellationToken.None).GetAwaiter().GetResult();
        var ok = sink.Messages.Count == expected.Count;
        for (var i = 0; ok && i < expected.Count; i++)
            ok = sink.Messages[i].Header == expected[i].Header && sink.Messages[i].Payload.SequenceEqual(expected[i].Payload);
        sink.ReleaseAll();
        return ok && pool.Outstanding == 0;
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

    [FsProperty(MaxTest = 500)]
    public bool Reader_AnyByteStream_YieldsMessagesOrTypedError(byte[] garbage, int seed, bool startWithValidFrame)
    {
        var pool = new MessagePool();
        var data = garbage;
        if (startWithValidFrame)
        {
            // Put a plausible header first so the decoder goes deeper than the first check.
            var header = new byte[MessageHeader.Size];
            new MessageHeader(MessageTypes.Data, default, 1, 2, garbage.Length % 100).Write(header);
            data = [.. header, .. garbage];
        }

        var sink = new CollectingSink();
        var reader = new FrameReader(pool, 1000);
        var run = reader.RunAsync(new ChunkedSource(data, seed), sink, CancellationToken.None);
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
        var bounded = sink.Messages.TrueForAll(m => m.PayloadLength <= 1000);
        reader.Dispose();
        sink.ReleaseAll();
        return finished && typed && bounded && pool.Outstanding == 0;
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

    [FsProperty(MaxTest = 200)]
    public bool Handshake_RoundTrips(uint address, ushort port, uint overlay, bool observer)
    {
        if (port == 0)
            port = 1;
        var handshake = new Handshake(new NodeId(address, port), overlay, observer ? HandshakeFlags.Observer : HandshakeFlags.None);
        var bytes = new byte[Handshake.Size];
        handshake.Write(bytes);
        return Handshake.TryRead(bytes, out var decoded) == WireError.None && decoded == handshake;
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
}
