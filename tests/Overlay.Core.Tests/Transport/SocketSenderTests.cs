using System.Net.Sockets;
using NUnit.Framework;
using Overlay.Buffers;
using Overlay.Transport;
using Overlay.Transport.Tcp;
using Overlay.Wire;

namespace Overlay.Core.Tests.Transport;

[Category("Integration")]
public class SocketSenderTests
{
    private const int Small = SocketSender.CoalesceLimit - MessageHeader.Size;

    // Batches of 1..200 frames in five shapes: random sizes, all small (runs beyond the staging buffer), small and
    // large alternating (more segments than one send may carry), sizes right at the coalescing limit, and 5 KB
    // frames (a tail copied into the last segment, or several sends).
    [TestCase(null), CancelAfter(120_000)]
    [TestCase(4096)]
    public async Task Batches_Of1To200MixedFrames_ArriveInOrderAndIntact(int? sendBufferSize)
    {
        var random = new Random(4242);
        var batches = new List<int[]>();
        for (var count = 1; count <= 200; count++)
        {
            var lengths = new int[count];
            for (var i = 0; i < count; i++)
            {
                lengths[i] = (count % 5) switch
                {
                    0 => random.Next(20) switch
                    {
                        0 => random.Next(16_000, 70_000),
                        < 8 => random.Next(Small + 1, 6000),
                        _ => random.Next(0, Small + 1),
                    },
                    1 => random.Next(0, Small + 1),
                    2 => i % 2 == 0 ? random.Next(Small + 1, 4000) : random.Next(0, 100),
                    3 => Small + (i % 2),
                    _ => 5 * 1024,
                };
            }

            batches.Add(lengths);
        }

        // A send loop's largest batch (512 frames, refilled by the switch while it collects): tiny frames that fit
        // one staging buffer, and frames at the coalescing limit that take many.
        batches.Add(Enumerable.Range(0, 512).Select(_ => random.Next(0, 100)).ToArray());
        batches.Add(Enumerable.Repeat(Small, 512).ToArray());

        var expected = batches.SelectMany(b => b).ToArray();
        var pool = new MessagePool();
        var (client, server) = await LoopbackPair.ConnectAsync();
        using (client)
        using (server)
        {
            if (sendBufferSize is { } size)
                client.SendBufferSize = size;
            var sink = new VerifyingSink(expected);
            using var reader = new FrameReader(pool, 1024 * 1024);
            var receive = Task.Run(() => reader.RunAsync(new SocketFrameSource(server), sink, CancellationToken.None));

            using var sender = new SocketSender();
            var sequence = 0;
            foreach (var lengths in batches)
            {
                var batch = lengths.Select(length => TestFrames.New(pool, sequence++, length)).ToArray();
                await sender.SendAsync(client, batch);
                foreach (var message in batch)
                    message.Release();
            }

            client.Shutdown(SocketShutdown.Send);
            await receive;
            Assert.That(sink.Errors, Is.Empty);
            Assert.That(sink.Received, Is.EqualTo(expected.Length));
        }

        Assert.That(pool.Outstanding, Is.Zero);
    }

    // More than 8 segments per send made the runtime allocate a GCHandle[] and an IOVector[] on every call.
    [TestCase(0, 64), CancelAfter(60_000)]
    [TestCase(1, 64)]
    [TestCase(2, 64)]
    [TestCase(3, 10)]
    [TestCase(3, 64)]
    public async Task SteadyState_SendsAllocateNothing(int shape, int frames)
    {
        const int Iterations = 1000;
        var pool = new MessagePool();
        var batch = Enumerable.Range(0, frames)
            .Select(i => TestFrames.New(pool, i, shape switch
            {
                0 => i % 2 == 0 ? 3000 : 100,
                1 => 64,
                2 => i % 8 == 0 ? 100 : 64,
                _ => 5 * 1024,
            }))
            .ToArray();
        var (client, server) = await LoopbackPair.ConnectAsync();
        using (client)
        using (server)
        {
            client.SendBufferSize = 4 * 1024 * 1024;
            server.ReceiveBufferSize = 4 * 1024 * 1024;
            var drain = Task.Run(() => DrainAsync(server));
            using var sender = new SocketSender();
            for (var i = 0; i < 100; i++)
                await sender.SendAsync(client, batch);

            var allocated = 0L;
            var measured = 0;
            var allocating = 0;
            for (var i = 0; i < Iterations; i++)
            {
                var before = GC.GetAllocatedBytesForCurrentThread();
                var send = sender.SendAsync(client, batch);
                if (send.IsCompletedSuccessfully)
                {
                    send.GetAwaiter().GetResult();
                    var bytes = GC.GetAllocatedBytesForCurrentThread() - before;
                    allocated += bytes;
                    allocating += bytes > 0 ? 1 : 0;
                    measured++;
                }
                else
                {
                    // A send that waited for the peer finished on another thread: its allocations are not visible here.
                    send.AsTask().GetAwaiter().GetResult();
                }
            }

            client.Shutdown(SocketShutdown.Send);
            await drain;
            Assert.That(measured, Is.GreaterThan(Iterations / 10), "Too few sends completed at once to measure.");
            // A send may find its thread's pool cache empty once (the warm-up returned the staging buffer on another
            // thread) and refill it with one array; an allocation per send would show in most of them.
            Assert.That(allocating, Is.LessThanOrEqualTo(measured / 100), $"{allocating} of {measured} sends allocated, {allocated} bytes in all.");
        }

        foreach (var message in batch)
            message.Release();
        Assert.That(pool.Outstanding, Is.Zero);
    }

    [Test]
    public async Task ConcurrentSends_AreRefused()
    {
        var pool = new MessagePool();
        var (client, server) = await LoopbackPair.ConnectAsync();
        using (client)
        using (server)
        {
            client.SendBufferSize = 4096;
            var big = TestFrames.New(pool, 0, 8 * 1024 * 1024);
            using var sender = new SocketSender();

            // Nothing reads the peer, so the first send cannot finish.
            var first = sender.SendAsync(client, new[] { big });
            Assert.That(first.IsCompleted, Is.False);
            Assert.Throws<InvalidOperationException>(() => sender.SendAsync(client, new[] { big }).GetAwaiter().GetResult());
            var drain = Task.Run(() => DrainAsync(server));
            await first;
            client.Shutdown(SocketShutdown.Send);
            await drain;
            big.Release();
        }

        Assert.That(pool.Outstanding, Is.Zero);
    }

    private static async Task DrainAsync(Socket socket)
    {
        var buffer = new byte[256 * 1024];
        while (await socket.ReceiveAsync(buffer, SocketFlags.None) > 0)
        {
        }
    }

    private sealed class VerifyingSink(int[] expectedLengths) : IFrameSink
    {
        public int Received { get; private set; }

        public List<string> Errors { get; } = [];

        public ValueTask OnMessageAsync(Message message)
        {
            var index = Received++;
            if (index >= expectedLengths.Length)
                Errors.Add($"frame {index}: more frames than were sent");
            else if (message.SequenceNumber != index || message.PayloadLength != expectedLengths[index] || message.ApplicationId != message.PayloadLength)
                Errors.Add($"frame {index}: sequence {message.SequenceNumber}, length {message.PayloadLength}, expected length {expectedLengths[index]}");
            else if (!SourceOptions.IsPattern(message))
                Errors.Add($"frame {index}: payload of {message.PayloadLength} bytes corrupted");
            message.Release();
            if (Errors.Count > 10)
                throw new InvalidOperationException(string.Join("; ", Errors));
            return ValueTask.CompletedTask;
        }
    }
}
