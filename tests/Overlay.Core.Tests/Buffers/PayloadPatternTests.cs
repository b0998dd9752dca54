using NUnit.Framework;
using Overlay.Buffers;

namespace Overlay.Core.Tests.Buffers;

public class PayloadPatternTests
{
    private static readonly int[] Lengths = [.. Enumerable.Range(0, 80), 255, 256, 257, 5 * 1024, (5 * 1024) + 3, 65_537];

    private readonly MessagePool _pool = new();

    [Test]
    public void FilledPayload_IsPattern_ForAnyLength([ValueSource(nameof(Lengths))] int length)
    {
        var message = Filled(length, application: 3, sequence: 1234);
        Assert.That(SourceOptions.IsPattern(message), Is.True);
        message.Release();
    }

    [Test]
    public void AnySingleFlippedByte_IsDetected([ValueSource(nameof(Lengths))] int length)
    {
        var message = Filled(length, application: 3, sequence: 1234);
        var payload = message.Payload;
        // Every position of short payloads (vector, word and tail parts); ends and a stride of long ones.
        var positions = length <= 300
            ? Enumerable.Range(0, length)
            : Enumerable.Range(0, 64).Concat(Enumerable.Range(length - 64, 64)).Concat(Enumerable.Range(0, length / 97).Select(k => k * 97));
        foreach (var i in positions)
        {
            foreach (var flip in new byte[] { 0x01, 0x80, 0xFF })
            {
                payload[i] ^= flip;
                if (SourceOptions.IsPattern(message))
                    Assert.Fail($"Flipping byte {i} of {length} with {flip:X2} went unnoticed.");
                payload[i] ^= flip;
            }
        }

        Assert.That(SourceOptions.IsPattern(message), Is.True);
        message.Release();
    }

    // From 8 bytes on, the first word alone tells any two headers apart; shorter payloads cannot always.
    [TestCase(8)]
    [TestCase(13)]
    [TestCase(5 * 1024)]
    public void AnotherHeadersPayload_IsNotPattern(int length)
    {
        var message = Filled(length, application: 3, sequence: 1234);
        foreach (var (application, sequence) in new[] { (3, 1235), (3, 1233), (4, 1234), (2, 1234), (3, 1234 + (1 << 16)), (-3, -1234) })
        {
            message.ApplicationId = application;
            message.SequenceNumber = sequence;
            Assert.That(SourceOptions.IsPattern(message), Is.False, $"application {application}, sequence {sequence}");
        }

        message.Release();
    }

    [Test]
    public void ConsecutiveSequenceNumbers_DifferInEveryWord()
    {
        var first = Filled(5 * 1024, application: 1, sequence: 41);
        var second = Filled(5 * 1024, application: 1, sequence: 42);
        for (var i = 0; i < first.PayloadLength; i += sizeof(ulong))
        {
            if (first.Payload.Slice(i, sizeof(ulong)).SequenceEqual(second.Payload.Slice(i, sizeof(ulong))))
                Assert.Fail($"Word at {i} is the same for sequence numbers 41 and 42.");
        }

        first.Release();
        second.Release();
    }

    // The vector, word and tail parts of the fill must agree: a byte depends on its offset and the header only.
    [Test]
    public void ShorterPayload_IsAPrefixOfTheLongerOne()
    {
        var longest = Filled(4096, application: 9, sequence: 77);
        for (var length = 0; length <= 300; length++)
        {
            var shorter = Filled(length, application: 9, sequence: 77);
            if (!shorter.Payload.SequenceEqual(longest.Payload[..length]))
                Assert.Fail($"The {length}-byte pattern is not a prefix of the 4096-byte one.");
            shorter.Release();
        }

        longest.Release();
    }

    private Message Filled(int length, int application, int sequence)
    {
        var message = _pool.Rent(length);
        message.ApplicationId = application;
        message.SequenceNumber = sequence;
        message.Payload.Fill(0xA5);
        SourceOptions.FillPattern(message);
        return message;
    }
}
