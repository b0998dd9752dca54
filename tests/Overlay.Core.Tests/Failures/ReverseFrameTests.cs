using System.Net;
using System.Net.Sockets;
using NUnit.Framework;
using Overlay.Wire;

namespace Overlay.Core.Tests.Failures;

/// <summary>A malformed frame against the direction of use closes the link with its own reason.</summary>
[Category("Integration")]
public class ReverseFrameTests
{
    [Test, CancelAfter(60_000)]
    public async Task DataFrameOnTheReverseDirection_ClosesTheDownstreamLink_CountedAsUnknownType()
    {
        await using var overlay = new TestOverlay();
        var relay = new RelayAlgorithm();
        var a = await overlay.AddAsync(relay);

        // The peer is a raw listener that answers the handshake, takes one message, then sends a data frame back.
        using var listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var peer = NodeId.FromEndPoint((IPEndPoint)listener.LocalEndPoint!);
        relay.Children.Add(peer);
        await a.DeploySourceAsync(1, new SourceOptions { PayloadLength = 10, MessageLimit = 1 });

        using var connection = await listener.AcceptAsync();
        await ReceiveExactly(connection, Handshake.Size);
        var handshake = new byte[Handshake.Size];
        new Handshake(peer, 0).Write(handshake);
        await connection.SendAsync(handshake);
        await ReceiveExactly(connection, MessageHeader.Size + 10); // the message: the send loop is idle now

        var frame = new byte[MessageHeader.Size];
        new MessageHeader(MessageTypes.Data, peer, 1, 0, 0).Write(frame);
        await connection.SendAsync(frame);

        Assert.That(
            await Eventually.TrueAsync(() => relay.Failures.Any(f => f.Peer == peer && f.Type == MessageTypes.BrokenDownstream), TimeSpan.FromSeconds(10)),
            Is.True,
            "the link is closed");
        var closed = a.GetStatistics().LinksClosedByError;
        TestContext.Out.WriteLine("closed by error: " + string.Join(", ", closed.Select(e => $"{e.Key}={e.Value}")));
        Assert.That(closed.GetValueOrDefault(WireError.UnknownType), Is.EqualTo(1));
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    private static async Task ReceiveExactly(Socket socket, int count)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read));
            if (n == 0)
                throw new InvalidOperationException("The node closed the connection.");
            read += n;
        }
    }
}
