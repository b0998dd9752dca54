using System.Net;
using System.Net.Sockets;
using NUnit.Framework;
using Overlay.Buffers;
using Overlay.Transport;
using Overlay.Transport.Tcp;

namespace Overlay.Core.Tests.Failures;

/// <summary>Unread bytes in the kernel are the liveness checker's proof that a quiet peer still sends.</summary>
public class UnreadBytesTests
{
    [Test, CancelAfter(30_000)]
    public async Task BytesWaiting_CountsWhatThePeerSentAndNobodyReadYet()
    {
        var pool = new MessagePool();
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        using var peer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var accept = listener.AcceptAsync();
        await peer.ConnectAsync(listener.LocalEndPoint!);
        var connection = new TcpConnection(await accept, NodeId.FromEndPoint((IPEndPoint)peer.LocalEndPoint!), new FrameReader(pool, 1024));
        try
        {
            Assert.That(connection.BytesWaiting, Is.Zero);

            await peer.SendAsync(new byte[100], SocketFlags.None);
            Assert.That(await Eventually.TrueAsync(() => connection.BytesWaiting == 100, TimeSpan.FromSeconds(10)), Is.True);

            connection.Abort();
            Assert.That(connection.BytesWaiting, Is.Zero, "a closed connection proves nothing");
        }
        finally
        {
            await connection.DisposeAsync();
        }

        Assert.That(pool.Outstanding, Is.Zero);
    }
}
