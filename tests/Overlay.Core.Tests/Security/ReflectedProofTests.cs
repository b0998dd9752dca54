using System.Net.Sockets;
using System.Security.Cryptography;
using NUnit.Framework;
using Overlay.Core.Tests.Support;
using Overlay.Wire;

namespace Overlay.Core.Tests.Security;

/// <summary>
/// A stranger without the secret answers the node's challenge with the node's own proof (reflection): refused,
/// whether it claims to be the node itself or someone else.
/// </summary>
[Category("Integration")]
public class ReflectedProofTests
{
    [Test, CancelAfter(60_000)]
    public async Task NodesOwnProof_ReflectedBackToIt_IsRefused()
    {
        await using var overlay = new TestOverlay();
        var b = await overlay.AddAsync(new RelayAlgorithm(), o => o.SharedSecret = "s3cret");
        var claims = new[] { b.Id, NodeId.Parse("127.0.0.1:1") };
        foreach (var claim in claims)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(b.Id.ToEndPoint());
            var hello = new byte[Handshake.Size + 16];
            new Handshake(claim, 0, HandshakeFlags.Authenticated).Write(hello);
            RandomNumberGenerator.Fill(hello.AsSpan(Handshake.Size));
            await socket.SendAsync(hello);

            // B answers with its handshake, its nonce and its proof; the stranger sends that proof back as its own.
            var answer = new byte[Handshake.Size + 16 + 32];
            for (var read = 0; read < answer.Length;)
            {
                var n = await socket.ReceiveAsync(answer.AsMemory(read));
                Assert.That(n, Is.GreaterThan(0), "B answered the handshake");
                read += n;
            }

            await socket.SendAsync(answer.AsMemory(Handshake.Size + 16, 32));
            Assert.That(await SocketWaits.ClosedWithinAsync(socket, TimeSpan.FromSeconds(10)), Is.True, $"claiming {claim}: the connection was closed");
        }

        Assert.That(
            await Eventually.TrueAsync(() => b.GetStatistics().RejectedConnections.GetValueOrDefault(WireError.AuthenticationFailed) == claims.Length, TimeSpan.FromSeconds(10)),
            Is.True,
            "refusals: " + string.Join(", ", b.GetStatistics().RejectedConnections));
        Assert.That(b.GetStatistics().Upstreams, Is.Empty, "no link was accepted");
        Assert.That(b.IsRunning, Is.True);
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

}
