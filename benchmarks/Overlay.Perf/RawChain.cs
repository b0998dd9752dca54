using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Overlay.Wire;

namespace Overlay.Perf;

/// <summary>
/// The engine-free baseline: the same chain of N endpoints as <see cref="EngineChain"/>, built from plain
/// loopback TCP sockets and async socket calls. A source writes frames back to back, each relay forwards whole
/// frames, the last endpoint counts them.
/// </summary>
/// <remarks>
/// Batching is kept comparable to the engine's: the source writes <c>sourceBatchFrames</c> frames per call (the
/// engine's sender drains its outbound buffer of that many messages in one gather write), and a relay reads up to
/// 64 KiB (the engine's staging buffer) and forwards every whole frame of it in one write. A relay forwards from
/// its read buffer, so it copies nothing; the engine copies each frame once into a pooled message.
/// </remarks>
internal sealed class RawChain : IAsyncDisposable
{
    private const int StagingSize = 64 * 1024;

    // Offset of the payload length field in the 24-byte header (see MessageHeader).
    private const int LengthFieldOffset = 20;

    private readonly List<Socket> _sockets;
    private readonly List<Task> _tasks = [];
    private readonly CancellationTokenSource _stop = new();

    private RawChain(List<Socket> sockets)
    {
        _sockets = sockets;
    }

    /// <summary>What reached the last endpoint.</summary>
    public ThroughputCounter Delivered { get; } = new();

    public static async Task<RawChain> StartAsync(int length, int payloadLength, int sourceBatchFrames)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(payloadLength, StagingSize - MessageHeader.Size);
        ArgumentOutOfRangeException.ThrowIfLessThan(sourceBatchFrames, 1);

        var sockets = new List<Socket>();
        var hops = new (Socket Writer, Socket Reader)[length - 1];
        try
        {
            for (var i = 0; i < hops.Length; i++)
            {
                hops[i] = await ConnectHopAsync();
                sockets.Add(hops[i].Writer);
                sockets.Add(hops[i].Reader);
            }
        }
        catch
        {
            foreach (var socket in sockets)
                socket.Dispose();
            throw;
        }

        var chain = new RawChain(sockets);
        var token = chain._stop.Token;
        var first = hops[0].Writer;
        chain._tasks.Add(Task.Run(() => RunSourceAsync(first, payloadLength, sourceBatchFrames, token)));
        for (var i = 1; i < hops.Length; i++)
        {
            var input = hops[i - 1].Reader;
            var output = hops[i].Writer;
            chain._tasks.Add(Task.Run(() => RunRelayAsync(input, output, null)));
        }

        var last = hops[^1].Reader;
        chain._tasks.Add(Task.Run(() => RunRelayAsync(last, null, chain.Delivered)));
        return chain;
    }

    /// <summary>Stops the source; the end of stream then travels down the chain and every task ends.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Task.WhenAll(_tasks).WaitAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            foreach (var socket in _sockets)
                socket.Dispose();
            _stop.Dispose();
        }
    }

    private static async Task<(Socket Writer, Socket Reader)> ConnectHopAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var writer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // Same socket settings as the engine's links.
            writer.NoDelay = true;
            writer.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var accept = listener.AcceptAsync();
            await writer.ConnectAsync(listener.LocalEndPoint!);
            var reader = await accept;
            reader.NoDelay = true;
            return (writer, reader);
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }

    private static async Task RunSourceAsync(Socket output, int payloadLength, int batchFrames, CancellationToken stop)
    {
        var sender = NodeId.FromEndPoint((IPEndPoint)output.LocalEndPoint!);
        var frameLength = MessageHeader.Size + payloadLength;
        // The payload bytes are left as allocated: unlike the engine's default source, this one writes no pattern.
        var batch = new byte[frameLength * batchFrames];
        var sequence = 0;
        while (!stop.IsCancellationRequested)
        {
            for (var i = 0; i < batchFrames; i++)
                new MessageHeader(MessageTypes.Data, sender, 1, sequence++, payloadLength).Write(batch.AsSpan(i * frameLength));

            ReadOnlyMemory<byte> pending = batch;
            while (!pending.IsEmpty)
            {
                var sent = await output.SendAsync(pending, SocketFlags.None);
                pending = pending[sent..];
            }
        }

        output.Shutdown(SocketShutdown.Send);
    }

    /// <summary>Forwards whole frames from <paramref name="input"/> to <paramref name="output"/>, or counts them when there is no output.</summary>
    private static async Task RunRelayAsync(Socket input, Socket? output, ThroughputCounter? delivered)
    {
        var buffer = new byte[StagingSize];
        var end = 0;
        while (true)
        {
            var read = await input.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None);
            if (read == 0)
            {
                if (end != 0)
                    throw new InvalidDataException("The stream ended inside a frame.");
                break;
            }

            end += read;
            var whole = ScanWholeFrames(buffer.AsSpan(0, end), out var frames, out var payloadBytes);
            if (whole == 0)
                continue;

            if (output is null)
            {
                delivered!.Add(frames, payloadBytes);
            }
            else
            {
                ReadOnlyMemory<byte> pending = buffer.AsMemory(0, whole);
                while (!pending.IsEmpty)
                {
                    var sent = await output.SendAsync(pending, SocketFlags.None);
                    pending = pending[sent..];
                }
            }

            // Keep the partial frame at the front for the next read.
            var rest = end - whole;
            buffer.AsSpan(whole, rest).CopyTo(buffer);
            end = rest;
        }

        output?.Shutdown(SocketShutdown.Send);
    }

    /// <summary>Length of the prefix of <paramref name="data"/> made of whole frames.</summary>
    private static int ScanWholeFrames(ReadOnlySpan<byte> data, out int frames, out long payloadBytes)
    {
        var offset = 0;
        frames = 0;
        payloadBytes = 0;
        while (data.Length - offset >= MessageHeader.Size)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(data[(offset + LengthFieldOffset)..]);
            if ((uint)length > StagingSize - MessageHeader.Size)
                throw new InvalidDataException($"Frame payload of {length} bytes does not fit the relay buffer.");
            var frameLength = MessageHeader.Size + length;
            if (data.Length - offset < frameLength)
                break;
            offset += frameLength;
            frames++;
            payloadBytes += length;
        }

        return offset;
    }
}
