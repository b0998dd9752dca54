using System.Net.Sockets;
using NUnit.Framework;
using Overlay.Core.Tests.Support;
using Overlay.Wire;

namespace Overlay.Core.Tests.Security;

/// <summary>Observers do not connect to nodes: a stranger presenting the observer flag in its handshake is refused.</summary>
[Category("Integration")]
public class ObserverFlagTests
{
    [Test, CancelAfter(60_000)]
    public async Task StrangerWithTheObserverFlag_IsRefusedAtTheHandshake_AndTheNodeKeepsRunning()
    {
        await using var overlay = new TestOverlay();
        var victim = await overlay.AddAsync(new RelayAlgorithm());

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(victim.Id.ToEndPoint());
        var handshake = new byte[Handshake.Size];
        new Handshake(NodeId.Parse("127.0.0.1:1"), 0, HandshakeFlags.Observer).Write(handshake);
        await socket.SendAsync(handshake);

        Assert.That(await SocketWaits.ClosedWithinAsync(socket, TimeSpan.FromSeconds(10)), Is.True, "the connection was closed");
        Assert.That(
            await Eventually.TrueAsync(() => victim.GetStatistics().RejectedConnections.GetValueOrDefault(WireError.BadHandshake) == 1, TimeSpan.FromSeconds(10)),
            Is.True,
            "refusals: " + string.Join(", ", victim.GetStatistics().RejectedConnections));
        Assert.That(victim.GetStatistics().Upstreams, Is.Empty, "no link was accepted");
        Assert.That(victim.IsRunning, Is.True);
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }
}
