using System.Buffers.Binary;
using System.Net.Sockets;
using NUnit.Framework;
using Overlay.Wire;

namespace Overlay.Core.Tests.Failures;

[Category("Integration")]
public class BadInputTests
{
    private const int Count = 20_000;

    [Test, CancelAfter(120_000)]
    public async Task StrangersOnThePort_AreClosedWithAReason_WhileDataFlowsUntouched()
    {
        await using var overlay = new TestOverlay();
        var source = new RelayAlgorithm();
        var middle = new RelayAlgorithm();
        var sink = new RelayAlgorithm();
        var s = await overlay.AddAsync(source);
        var n = await overlay.AddAsync(middle, o => o.HandshakeTimeout = TimeSpan.FromSeconds(1));
        var t = await overlay.AddAsync(sink);
        source.Children.Add(n.Id);
        middle.Children.Add(t.Id);
        s.SetLinkBandwidth(n.Id, LinkDirection.Downstream, 20_000_000); // so the flow spans the attacks (about 2 s)
        await s.DeploySourceAsync(1, new SourceOptions { PayloadLength = 2000, MessageLimit = Count });

        var target = n.Id.ToEndPoint();
        var garbage = new byte[200];
        new Random(1).NextBytes(garbage);
        var attacks = new (string Name, Func<byte[]> Bytes, bool CloseAfterSending)[]
        {
            ("garbage", () => garbage, false),
            ("other overlay", () => Handshake(overlayId: 99), false),
            ("slowloris", () => [], false),
            ("truncated frame", () => [.. Handshake(0), .. Frame(payloadLength: 1000)[..300]], true),
            ("2 GB frame", () => [.. Handshake(0), .. FrameClaiming(int.MaxValue)], false),
            ("engine-only type", () => [.. Handshake(0), .. FrameOfType(MessageTypes.BrokenUpstream)], false),
        };

        var closedWithin = new Dictionary<string, TimeSpan>();
        foreach (var (name, bytes, closeAfter) in attacks)
        {
            using var client = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await client.ConnectAsync(target);
            var payload = bytes();
            if (payload.Length > 0)
                await client.SendAsync(payload);
            if (closeAfter)
                client.Shutdown(SocketShutdown.Send);
            var started = DateTime.UtcNow;
            // The node answers a good handshake with its own; past that, it must close the connection on us.
            var buffer = new byte[1024];
            var closed = false;
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                while (!closed)
                    closed = await client.ReceiveAsync(buffer, limit.Token) == 0;
            }
            catch (SocketException)
            {
                closed = true;
            }
            catch (OperationCanceledException)
            {
            }

            Assert.That(closed, Is.True, $"{name}: connection still open after 10 s");
            closedWithin[name] = DateTime.UtcNow - started;
        }

        TestContext.Out.WriteLine(string.Join(", ", closedWithin.Select(c => $"{c.Key} closed in {c.Value.TotalMilliseconds:F0} ms")));
        Assert.That(sink.Delivered, Is.LessThan(Count), "the attacks ran while data was flowing");
        var stats = n.GetStatistics();
        TestContext.Out.WriteLine("rejected: " + string.Join(", ", stats.RejectedConnections.Select(r => $"{r.Key}={r.Value}"))
            + "; closed: " + string.Join(", ", stats.LinksClosedByError.Select(r => $"{r.Key}={r.Value}")));
        Assert.That(stats.RejectedConnections.GetValueOrDefault(WireError.BadMagic), Is.EqualTo(1));
        Assert.That(stats.RejectedConnections.GetValueOrDefault(WireError.WrongOverlay), Is.EqualTo(1));
        Assert.That(stats.RejectedConnections.GetValueOrDefault(WireError.HandshakeTimeout), Is.EqualTo(1));
        Assert.That(stats.LinksClosedByError.GetValueOrDefault(WireError.Truncated), Is.EqualTo(1));
        Assert.That(stats.LinksClosedByError.GetValueOrDefault(WireError.OversizedPayload), Is.EqualTo(1));
        Assert.That(stats.LinksClosedByError.GetValueOrDefault(WireError.UnknownType), Is.EqualTo(1));
        Assert.That(closedWithin["slowloris"], Is.LessThan(TimeSpan.FromSeconds(5)));

        // The legitimate flow through the same node lost nothing.
        Assert.That(await Eventually.TrueAsync(() => sink.Delivered >= Count, TimeSpan.FromSeconds(60)), Is.True, $"{sink.Delivered} delivered");
        Assert.That(sink.ArrivalsFrom(n.Id), Is.EqualTo(Enumerable.Range(0, Count)));
        Assert.That(sink.Corrupt, Is.Zero);
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    private static byte[] Handshake(uint overlayId)
    {
        var bytes = new byte[Overlay.Wire.Handshake.Size];
        new Handshake(new NodeId(0x7F000001, 1), overlayId).Write(bytes);
        return bytes;
    }

    private static byte[] Frame(int payloadLength)
    {
        var bytes = new byte[MessageHeader.Size + payloadLength];
        new MessageHeader(MessageTypes.Data, new NodeId(0x7F000001, 1), 5, 0, payloadLength).Write(bytes);
        return bytes;
    }

    private static byte[] FrameClaiming(int length)
    {
        var bytes = Frame(0);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(20), length);
        return bytes;
    }

    private static byte[] FrameOfType(int type)
    {
        var bytes = Frame(0);
        BinaryPrimitives.WriteInt32BigEndian(bytes, type);
        return bytes;
    }
}
