using System.Diagnostics;
using System.Net.Sockets;
using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Overlay.Buffers;
using Overlay.Core.Tests.Support;
using Overlay.Transport;
using Overlay.Transport.Tcp;
using Overlay.Wire;
using FsProperty = FsCheck.NUnit.PropertyAttribute;

namespace Overlay.Core.Tests.Transport;

/// <summary>The reader's staging buffer is held only while bytes flow, and no frame size or read pattern loses data.</summary>
public class FrameReaderStagingTests
{
    private const int MaxPayload = 256 * 1024;

    // Payload sizes from the four regimes of the reader: many frames per staging buffer, a few, about one staging
    // buffer (the compaction edge), and several staging buffers (read straight into the message).
    private static readonly (int Min, int Max)[] SizeClasses =
    [
        (0, 100),
        (1_000, 6_000),
        (FrameReader.StagingSize - 2 * MessageHeader.Size, FrameReader.StagingSize + 2 * MessageHeader.Size),
        (100_000, MaxPayload),
    ];

    [FsProperty(MaxTest = 100, Arbitrary = [typeof(Generators)])]
    public Property Frames_OfAnySize_RoundTrip_AndEveryIdleWaitHoldsNoStaging(StagingCase test)
    {
        var random = new Random(test.Seed);
        var lengths = test.Classes.Select(c => SizeClasses[c]).Select(r => random.Next(r.Min, r.Max + 1)).ToArray();
        var pool = new MessagePool();
        var sink = new CollectingSink();
        var source = new WatchingSource(Encode(pool, lengths), test.Seed, test.MaxChunk);
        using (var reader = new FrameReader(pool, MaxPayload))
        {
            source.Reader = reader;
            reader.RunAsync(source, sink, CancellationToken.None).GetAwaiter().GetResult();
        }

        var ok = source.WaitsWithStaging == 0 && sink.Messages.Count == lengths.Length;
        for (var i = 0; ok && i < lengths.Length; i++)
            ok = sink.Messages[i].SequenceNumber == i && sink.Messages[i].PayloadLength == lengths[i] && TestFrames.IsIntact(sink.Messages[i]);
        sink.ReleaseAll();
        return (ok && pool.Outstanding == 0).ToProperty()
            .Classify(test.MaxChunk < MessageHeader.Size, "chunks < a header")
            .Classify(test.MaxChunk > FrameReader.StagingSize, "chunks > the staging buffer")
            .Classify(test.Classes.Contains(3), "a frame of several staging buffers")
            .Classify(test.Classes.Contains(2), "a frame at the compaction edge");
    }

    [Test]
    public async Task ReadsThatFillTheBuffer_AreNotInterruptedByIdleWaits()
    {
        // 100-byte frames worth ten staging buffers, each read filling all the room it is given.
        var lengths = Enumerable.Repeat(100, 10 * FrameReader.StagingSize / (100 + MessageHeader.Size)).ToArray();
        var pool = new MessagePool();
        var sink = new CollectingSink();
        var source = new WatchingSource(Encode(pool, lengths), seed: 0, maxChunk: int.MaxValue) { Greedy = true };
        using (var reader = new FrameReader(pool, MaxPayload))
        {
            source.Reader = reader;
            await reader.RunAsync(source, sink, CancellationToken.None);

            // One wait before the first byte, perhaps one after the last (short) read drained the stream: none between.
            Assert.That(reader.IdleWaits, Is.InRange(1, 2));
        }

        Assert.That(sink.Messages, Has.Count.EqualTo(lengths.Length));
        Assert.That(source.WaitsWithStaging, Is.Zero);
        sink.ReleaseAll();
        Assert.That(pool.Outstanding, Is.Zero);
    }

    [Test]
    public async Task ALinkWhoseWaitsAreShort_KeepsItsStaging_UntilAWaitIsLong()
    {
        // One 50-byte frame per read, each read completing at once: every frame boundary drains the source. The bound
        // holds on every run; a run counts as quiet when the machine let the rule show (few slow steps), and one of
        // five must be.
        var quiet = false;
        for (var attempt = 0; attempt < 5 && !quiet; attempt++)
            quiet = await RunShortWaitsAsync();
        Assert.That(quiet, Is.True, "five runs in a row were too slow for the busy rule to show");
    }

    private static async Task<bool> RunShortWaitsAsync()
    {
        const int Frames = 400;
        const int FrameLength = 50 + MessageHeader.Size;
        var pool = new MessagePool();
        var sink = new CollectingSink();
        var source = new WatchingSource(Encode(pool, Enumerable.Repeat(50, Frames).ToArray()), seed: 2, maxChunk: FrameLength)
        {
            Fixed = true,
            PauseAt = Frames / 2 * FrameLength,
        };
        int allowed;
        using (var reader = new FrameReader(pool, MaxPayload))
        {
            source.Reader = reader;
            await reader.RunAsync(source, sink, CancellationToken.None);

            // Without the busy rule every one of the 400 drained boundaries would give the buffer back. With it, the
            // link turns busy after four short waits; only a wait that looked long (the 50 ms pause, or this thread
            // descheduled on a loaded machine, which the source sees as a slow step) costs at most four more.
            allowed = 4 * (source.SlowSteps + 2);
            TestContext.Out.WriteLine($"{reader.IdleWaits} idle waits, {source.SlowSteps} slow steps seen by the source");
            Assert.That(reader.IdleWaits, Is.LessThanOrEqualTo(allowed));
            Assert.That(reader.IdleWaits, Is.GreaterThan(source.IdleWaitsAtPause), "After a long wait the reader did not give its buffer back.");
        }

        Assert.That(sink.Messages, Has.Count.EqualTo(Frames));
        Assert.That(source.WaitsWithStaging, Is.Zero);
        sink.ReleaseAll();
        Assert.That(pool.Outstanding, Is.Zero);
        return allowed < Frames / 2;
    }

    [Test]
    public async Task Dispose_ReturnsTheStagingBuffer_AndAReadAfterItIsRefused()
    {
        var pool = new MessagePool();
        var reader = new FrameReader(pool, MaxPayload);
        var source = new WatchingSource(Encode(pool, [10]), seed: 1, maxChunk: 5) { Reader = reader };
        var destination = new byte[3];
        await reader.ReadExactAsync(source, destination, CancellationToken.None);
        Assert.That(reader.StagingBytesHeld, Is.GreaterThan(0), "A read in progress stages its bytes.");
        reader.Dispose();
        Assert.That(reader.StagingBytesHeld, Is.Zero);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => reader.ReadExactAsync(source, destination, CancellationToken.None).AsTask());
        Assert.That(pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(60_000), Category("Integration")]
    public async Task OnASocket_AnIdleReaderHoldsNoStaging_AndWakesForSmallAndLargeFrames()
    {
        var pool = new MessagePool();
        var (client, server) = await LoopbackPair.ConnectAsync();
        using (client)
        using (server)
        {
            var sink = new CountingSink();
            var reader = new FrameReader(pool, MaxPayload);
            var receive = Task.Run(() => reader.RunAsync(new SocketFrameSource(server), sink, CancellationToken.None));
            using var sender = new SocketSender();
            var sent = 0;
            int[][] rounds = [[64, 64, 64], [5 * 1024, 100], [MaxPayload], [0]];
            foreach (var round in rounds)
            {
                var batch = round.Select(length => TestFrames.New(pool, sent++, length)).ToArray();
                await sender.SendAsync(client, batch);
                foreach (var message in batch)
                    message.Release();
                Assert.That(await Eventually.TrueAsync(() => sink.Received == sent, TimeSpan.FromSeconds(20)), $"{sink.Received} of {sent} frames arrived.");
                Assert.That(await Eventually.TrueAsync(() => reader.StagingBytesHeld == 0, TimeSpan.FromSeconds(20)), $"After frames of {string.Join(", ", round)} bytes the idle reader kept its staging buffer ({reader.IdleWaits} idle waits).");
            }

            client.Shutdown(SocketShutdown.Send);
            await receive;
            reader.Dispose();
            Assert.That(sink.Corrupted, Is.Zero);
            Assert.That(reader.IdleWaits, Is.GreaterThanOrEqualTo(rounds.Length));
        }

        Assert.That(pool.Outstanding, Is.Zero);
    }

    private static byte[] Encode(MessagePool pool, int[] lengths)
    {
        using var stream = new MemoryStream();
        for (var i = 0; i < lengths.Length; i++)
        {
            var message = TestFrames.New(pool, i, lengths[i]);
            stream.Write(message.Buffer, 0, message.FrameLength);
            message.Release();
        }

        return stream.ToArray();
    }

    /// <summary>
    /// A byte array read in random chunks (or, greedily, as much as each read has room for), sometimes completing
    /// later rather than at once; counts zero-byte waits that found the reader still holding staging memory.
    /// </summary>
    private sealed class WatchingSource(byte[] data, int seed, int maxChunk) : IFrameSource
    {
        private readonly Random _random = new(seed);
        private int _position;

        public FrameReader? Reader { get; set; }

        public bool Greedy { get; init; }

        /// <summary>Every read returns <c>maxChunk</c> bytes (or what is left), synchronously.</summary>
        public bool Fixed { get; init; }

        /// <summary>The read that starts at this offset completes only after a 50 ms pause.</summary>
        public int PauseAt { get; init; } = -1;

        public long IdleWaitsAtPause { get; private set; }

        public int WaitsWithStaging { get; private set; }

        /// <summary>
        /// Calls that began more than half a millisecond after the previous one ended: the reader's thread was held up
        /// there (preempted), which can make a wait look long to the reader's busy rule.
        /// </summary>
        public int SlowSteps { get; private set; }

        private long _lastReturn;

        public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
        {
            var now = Stopwatch.GetTimestamp();
            if (_lastReturn != 0 && Stopwatch.GetElapsedTime(_lastReturn, now) > TimeSpan.FromMilliseconds(0.5))
                SlowSteps++;
            try
            {
                return Receive(buffer);
            }
            finally
            {
                _lastReturn = Stopwatch.GetTimestamp();
            }
        }

        private ValueTask<int> Receive(Memory<byte> buffer)
        {
            if (buffer.Length == 0)
            {
                if (Reader is { StagingBytesHeld: > 0 })
                    WaitsWithStaging++;
                return ValueTask.FromResult(0);
            }

            var remaining = data.Length - _position;
            var count = Greedy ? Math.Min(remaining, buffer.Length) : Math.Min(Math.Min(remaining, buffer.Length), Fixed ? maxChunk : 1 + _random.Next(maxChunk));
            var pause = _position == PauseAt;
            if (pause)
                IdleWaitsAtPause = Reader?.IdleWaits ?? 0;
            data.AsSpan(_position, count).CopyTo(buffer.Span);
            _position += count;
            if (pause)
                return PausedAsync(count);
            return Greedy || Fixed || _random.Next(4) != 0 ? ValueTask.FromResult(count) : LaterAsync(count);
        }

        private static async ValueTask<int> LaterAsync(int count)
        {
            await Task.Yield();
            return count;
        }

        private static async ValueTask<int> PausedAsync(int count)
        {
            await Task.Delay(50);
            return count;
        }
    }

    /// <summary>Counts and releases frames as they arrive on the reader's thread.</summary>
    private sealed class CountingSink : IFrameSink
    {
        private int _received;
        private int _corrupted;

        public int Received => Volatile.Read(ref _received);

        public int Corrupted => Volatile.Read(ref _corrupted);

        public ValueTask OnMessageAsync(Message message)
        {
            if (message.SequenceNumber != Received || !TestFrames.IsIntact(message))
                Interlocked.Increment(ref _corrupted);
            message.Release();
            Interlocked.Increment(ref _received);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>The size class of each frame (index into the size classes), a seed, and the largest read chunk.</summary>
    public sealed record StagingCase(int[] Classes, int Seed, int MaxChunk)
    {
        public override string ToString() => $"classes [{string.Join(", ", Classes)}], seed {Seed}, chunks ≤ {MaxChunk}";
    }

    /// <summary>Up to 24 frames from all four size classes; read chunks from 1 byte to three staging buffers (192 KiB).</summary>
    public static class Generators
    {
        public static Arbitrary<StagingCase> StagingCases() =>
            (from count in Gen.Choose(0, 24)
             from classes in Gen.ArrayOf(Gen.Choose(0, SizeClasses.Length - 1), count)
             from seed in Gen.Choose(int.MinValue, int.MaxValue)
             from chunk in Spread.LogUniform(1, 3 * FrameReader.StagingSize)
             select new StagingCase(classes, seed, chunk)).ToArbitrary();
    }
}
