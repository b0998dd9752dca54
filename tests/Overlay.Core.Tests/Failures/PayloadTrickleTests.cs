using System.Net.Sockets;
using NUnit.Framework;
using Overlay.Wire;

namespace Overlay.Core.Tests.Failures;

/// <summary>A peer is heard while any of its bytes arrive, also in the middle of one large frame.</summary>
[Category("Integration")]
public class PayloadTrickleTests
{
    [Test, CancelAfter(60_000)]
    public async Task LargePayload_TricklingInSlowerThanTheSilenceLimit_IsNotDeclaredSilent()
    {
        // 30 KB at 5 KB/s takes 6 s; the failure time-out is 1 s (silence limit 0.6 s).
        const int payloadLength = 30_000;
        const int chunk = 500;
        var chunkEvery = TimeSpan.FromMilliseconds(100);
        await using var overlay = new TestOverlay();
        var relay = new RelayAlgorithm();
        var a = await overlay.AddAsync(relay, o => o.FailureTimeout = TimeSpan.FromSeconds(1));

        // The peer is a raw connection with an identity no node of this process has, so its silence is judged.
        var peer = new NodeId(0x7F000001, 1);
        using var client = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(a.Id.ToEndPoint());
        var frame = new byte[Handshake.Size + MessageHeader.Size + payloadLength];
        new Handshake(peer, 0).Write(frame);
        new MessageHeader(MessageTypes.Data, peer, 1, 0, payloadLength).Write(frame.AsSpan(Handshake.Size));
        var sent = Handshake.Size + MessageHeader.Size;
        await client.SendAsync(frame.AsMemory(0, sent));
        try
        {
            while (sent < frame.Length)
            {
                await Task.Delay(chunkEvery);
                var next = Math.Min(chunk, frame.Length - sent);
                await client.SendAsync(frame.AsMemory(sent, next));
                sent += next;
            }
        }
        catch (SocketException ex)
        {
            Assert.Fail($"the node closed the link after {sent} of {frame.Length} bytes ({ex.SocketErrorCode}); closed by error: "
                + string.Join(", ", a.GetStatistics().LinksClosedByError.Select(e => $"{e.Key}={e.Value}")));
        }

        Assert.That(await Eventually.TrueAsync(() => relay.ArrivalsFrom(peer).Count == 1, TimeSpan.FromSeconds(10)), Is.True, "the message arrived whole");
        var statistics = a.GetStatistics();
        Assert.That(statistics.LinksClosedByError, Is.Empty);
        Assert.That(statistics.Upstreams, Has.Count.EqualTo(1), "the link is still up");
        client.Close();
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }
}
