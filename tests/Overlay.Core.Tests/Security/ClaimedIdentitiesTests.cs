using System.Net.Sockets;
using NUnit.Framework;
using Overlay.Wire;

namespace Overlay.Core.Tests.Security;

/// <summary>What a node keeps per peer lives as long as the peer's links, except limits the user set.</summary>
[Category("Integration")]
public class ClaimedIdentitiesTests
{
    private const int Identities = 40;

    [Test, CancelAfter(60_000)]
    public async Task AStrangerClaimingManyIdentities_LeavesNoPerPeerStateBehind_ButUserLimitsStay()
    {
        await using var overlay = new TestOverlay();
        var relay = new RelayAlgorithm();
        var victim = await overlay.AddAsync(relay, o => o.ConnectRetries = 0);
        var limited = new NodeId(0x7F000001, 20_000);
        victim.SetLinkBandwidth(limited, LinkDirection.Upstream, 50_000);
        var before = victim.PerPeerEntries;

        // One stranger, many claimed identities (the first is the peer the user limited), each on its own connection.
        var sockets = new List<Socket>();
        try
        {
            for (var i = 0; i < Identities; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                sockets.Add(socket);
                await socket.ConnectAsync(victim.Id.ToEndPoint());
                var handshake = new byte[Handshake.Size];
                new Handshake(new NodeId(0x7F000001, (ushort)(20_000 + i)), 0).Write(handshake);
                await socket.SendAsync(handshake);
            }

            Assert.That(await Eventually.TrueAsync(() => victim.GetStatistics().Upstreams.Count == Identities, TimeSpan.FromSeconds(20)), Is.True);
            Assert.That(victim.PerPeerEntries, Is.EqualTo(before + Identities - 1), "each new identity's link has its state while it lasts");
        }
        finally
        {
            foreach (var socket in sockets)
                socket.Dispose();
        }

        Assert.That(await Eventually.TrueAsync(() => victim.GetStatistics().Upstreams.Count == 0, TimeSpan.FromSeconds(20)), Is.True);
        Assert.That(
            await Eventually.TrueAsync(() => victim.PerPeerEntries == before, TimeSpan.FromSeconds(10)),
            Is.True,
            $"per-peer entries went back to {before}: {victim.PerPeerEntries}");
        Assert.That(victim.GetLinkBandwidth(limited, LinkDirection.Upstream), Is.EqualTo(50_000), "the limit the user set outlives the link");

        // A link this node opens to a peer that is not there: its state goes when the link fails.
        var nowhere = new NodeId(0x7F000001, FreePort());
        relay.Children.Add(nowhere);
        await victim.DeploySourceAsync(1, new SourceOptions { PayloadLength = 10, MessageLimit = 1 });
        Assert.That(await Eventually.TrueAsync(() => relay.Failures.Any(f => f.Peer == nowhere), TimeSpan.FromSeconds(20)), Is.True);
        Assert.That(
            await Eventually.TrueAsync(() => victim.PerPeerEntries == before, TimeSpan.FromSeconds(10)),
            Is.True,
            $"per-peer entries went back to {before} after the failed downstream: {victim.PerPeerEntries}");

        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    private static ushort FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        return (ushort)((System.Net.IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
