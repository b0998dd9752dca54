using System.Net.Sockets;
using NUnit.Framework;
using Overlay.Transport;
using Overlay.Wire;

namespace Overlay.Core.Tests.Security;

/// <summary>
/// Connections that have not completed their handshake are cheap, bounded in number and time, and each refusal is
/// counted once under the reason it happened for.
/// </summary>
[Category("Integration")]
public class UnprovenConnectionsTests
{
    [Test, CancelAfter(60_000)]
    public async Task SilentAndHalfHandshakenConnections_HoldLessThanAKilobyteOfBuffersEach()
    {
        const int Silent = 50;
        const int Partial = 50;
        await using var overlay = new TestOverlay();
        var node = await overlay.AddAsync(new RelayAlgorithm(), o => o.HandshakeTimeout = TimeSpan.FromSeconds(60));
        var sockets = new List<Socket>();
        try
        {
            for (var i = 0; i < Silent + Partial; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                sockets.Add(socket);
                await socket.ConnectAsync(node.Id.ToEndPoint());
                if (i >= Silent)
                    await socket.SendAsync(new byte[10]); // the start of a handshake, never finished
            }

            // Every connection is in its handshake and every partial one has had its bytes read.
            Assert.That(
                await Eventually.TrueAsync(
                    () => node.GetStatistics().Connections is { InHandshake: Silent + Partial } c && c.StagingBytes >= Partial * FrameReader.HandshakeStagingSize,
                    TimeSpan.FromSeconds(20)),
                Is.True,
                "connections in the handshake: " + node.GetStatistics().Connections);
            var connections = node.GetStatistics().Connections;
            TestContext.Out.WriteLine($"{Silent} silent and {Partial} half-handshaken connections: {connections}");
            Assert.That(connections.StagingBytes / (double)(Silent + Partial), Is.LessThan(1024), "read buffer bytes per connection");
        }
        finally
        {
            foreach (var socket in sockets)
                socket.Dispose();
        }

        Assert.That(await Eventually.TrueAsync(() => node.GetStatistics().Connections is { InHandshake: 0, StagingBytes: 0 }, TimeSpan.FromSeconds(20)), Is.True);
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(60_000)]
    public async Task ConnectionsPastTheHandshakeCap_AreClosedAtOnce_AndTheRestTimeOut_EachCountedOnce()
    {
        const int Cap = 20;
        const int Opened = 30;
        await using var overlay = new TestOverlay();
        var node = await overlay.AddAsync(new RelayAlgorithm(), o =>
        {
            o.MaxPendingHandshakes = Cap;
            o.HandshakeTimeout = TimeSpan.FromSeconds(3);
        });
        var sockets = new List<Socket>();
        try
        {
            for (var i = 0; i < Opened; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                sockets.Add(socket);
                try
                {
                    await socket.ConnectAsync(node.Id.ToEndPoint());
                }
                catch (SocketException)
                {
                    // Accepted past the cap and reset before this side's connect completed: still counted below.
                }
            }

            Assert.That(
                await Eventually.TrueAsync(() => node.GetStatistics().Connections.Accepted == Opened, TimeSpan.FromSeconds(20)),
                Is.True,
                "accepted: " + node.GetStatistics().Connections);
            var statistics = node.GetStatistics();
            TestContext.Out.WriteLine($"{statistics.Connections}; refused {string.Join(", ", statistics.RejectedConnections)}");
            Assert.That(statistics.Connections.InHandshake, Is.EqualTo(Cap));
            Assert.That(statistics.RejectedConnections.GetValueOrDefault(WireError.TooManyHandshakes), Is.EqualTo(Opened - Cap));

            // The ones in the handshake say nothing and time out.
            Assert.That(
                await Eventually.TrueAsync(() => node.GetStatistics().RejectedConnections.GetValueOrDefault(WireError.HandshakeTimeout) == Cap, TimeSpan.FromSeconds(20)),
                Is.True,
                "timed out: " + string.Join(", ", node.GetStatistics().RejectedConnections));
            Assert.That(node.GetStatistics().Connections.InHandshake, Is.Zero);
        }
        finally
        {
            foreach (var socket in sockets)
                socket.Dispose();
        }

        // A reset and an orderly close inside the handshake are different reasons, each counted once.
        using (var reset = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        using (var truncated = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await reset.ConnectAsync(node.Id.ToEndPoint());
            await truncated.ConnectAsync(node.Id.ToEndPoint());
            Assert.That(await Eventually.TrueAsync(() => node.GetStatistics().Connections.InHandshake == 2, TimeSpan.FromSeconds(20)), Is.True);
            await reset.SendAsync(new byte[10]);
            await truncated.SendAsync(new byte[10]);
            reset.LingerState = new LingerOption(true, 0);
            reset.Close(); // RST
            truncated.Shutdown(SocketShutdown.Send); // FIN after 10 bytes of a 24-byte handshake
            Assert.That(await Eventually.TrueAsync(() => node.GetStatistics().Connections.InHandshake == 0, TimeSpan.FromSeconds(20)), Is.True);
        }

        var refused = node.GetStatistics().RejectedConnections;
        TestContext.Out.WriteLine("refused: " + string.Join(", ", refused));
        Assert.That(refused.GetValueOrDefault(WireError.ConnectionReset), Is.EqualTo(1));
        Assert.That(refused.GetValueOrDefault(WireError.Truncated), Is.EqualTo(1));
        Assert.That(refused.Values.Sum(), Is.EqualTo(Opened + 2), "every refused connection is counted once");

        // A real peer still gets in.
        var sender = new RelayAlgorithm();
        var peer = await overlay.AddAsync(sender);
        sender.Children.Add(node.Id);
        await peer.DeploySourceAsync(1, new SourceOptions { PayloadLength = 100, MessageLimit = 10 });
        Assert.That(await Eventually.TrueAsync(() => node.GetStatistics().Upstreams.Count == 1, TimeSpan.FromSeconds(20)), Is.True);
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(60_000)]
    public async Task AHandshakeFailingWithAnUnexpectedException_GivesBackItsSlot()
    {
        const int Cap = 2;
        const int Opened = Cap + 2;
        await using var overlay = new TestOverlay();
        // A handshake time-out past what a timer can hold (about 49.7 days) makes every handshake throw
        // ArgumentOutOfRangeException, none of the exceptions a handshake expects; each must still end its slot.
        var node = await overlay.AddAsync(new RelayAlgorithm(), o =>
        {
            o.MaxPendingHandshakes = Cap;
            o.HandshakeTimeout = TimeSpan.FromDays(100);
        });
        for (var i = 1; i <= Opened; i++)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(node.Id.ToEndPoint());
            var accepted = i;
            Assert.That(
                await Eventually.TrueAsync(
                    () => node.GetStatistics().Connections is { InHandshake: 0 } c && c.Accepted == accepted,
                    TimeSpan.FromSeconds(20)),
                Is.True,
                "slot given back: " + node.GetStatistics().Connections);
        }

        var refused = node.GetStatistics().RejectedConnections;
        TestContext.Out.WriteLine("refused: " + string.Join(", ", refused));
        Assert.That(refused.GetValueOrDefault(WireError.TooManyHandshakes), Is.Zero, "no connection refused for slots that leaked");
        Assert.That(refused.Values.Sum(), Is.EqualTo(Opened), "each failed handshake counted once");
    }
}
