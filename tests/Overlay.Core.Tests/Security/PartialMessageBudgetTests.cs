using System.Net.Sockets;
using NUnit.Framework;
using Overlay.Wire;

namespace Overlay.Core.Tests.Security;

/// <summary>Stalled large claims cannot hold more than the node's budget for partly received messages.</summary>
[Category("Integration")]
public class PartialMessageBudgetTests
{
    private const int MaxPayload = 256 * 1024;
    private const long Budget = 1024 * 1024;
    private const int Stallers = 12;

    [Test, CancelAfter(90_000)]
    public async Task StalledLargeClaims_StayWithinTheBudget_TheSlowestAreClosedAndCounted_WhileAFlowGoesOn()
    {
        await using var overlay = new TestOverlay();
        var receiver = new RelayAlgorithm();
        var b = await overlay.AddAsync(receiver, o =>
        {
            o.MaxPayloadLength = MaxPayload;
            o.PartialMessageBudget = Budget;
        });
        var sender = new RelayAlgorithm();
        var a = await overlay.AddAsync(sender);
        sender.Children.Add(b.Id);

        var peak = 0L;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, b.GetStatistics().Connections.PartialMessageBytes);
                await Task.Delay(1);
            }
        });

        // Strangers each claim a maximum payload, send its first kilobyte, and stall.
        var stallers = new List<Socket>();
        try
        {
            for (var i = 0; i < Stallers; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                stallers.Add(socket);
                await socket.ConnectAsync(b.Id.ToEndPoint());
                var bytes = new byte[Handshake.Size + MessageHeader.Size + 1024];
                var identity = new NodeId(0x7F000001, (ushort)(30_000 + i));
                new Handshake(identity, 0).Write(bytes);
                new MessageHeader(MessageTypes.Data, identity, 1, 0, MaxPayload).Write(bytes.AsSpan(Handshake.Size));
                await socket.SendAsync(bytes);
            }

            // Three claims fit the budget; every claim past them closes the slowest (oldest stalled) one.
            var fit = (int)(Budget / (MaxPayload + MessageHeader.Size));
            Assert.That(
                await Eventually.TrueAsync(() => Closed(b) >= Stallers - fit, TimeSpan.FromSeconds(20)),
                Is.True,
                $"closed for the budget: {Closed(b)}; {b.GetStatistics().Connections}");

            // A legitimate flow of large messages goes on beside the stalled claims (and displaces them).
            await a.DeploySourceAsync(1, new SourceOptions { PayloadLength = 100_000 });
            Assert.That(
                await Eventually.TrueAsync(() => receiver.ArrivalsFrom(a.Id).Count >= 200, TimeSpan.FromSeconds(60)),
                Is.True,
                $"the flow delivered {receiver.ArrivalsFrom(a.Id).Count}");
            Assert.That(receiver.Corrupt, Is.Zero);
        }
        finally
        {
            foreach (var socket in stallers)
                socket.Dispose();
        }

        await sampling.CancelAsync();
        await sampler;
        var statistics = b.GetStatistics();
        TestContext.Out.WriteLine($"peak reserved {peak} of {Budget}; closed for the budget {Closed(b)}; {statistics.Connections}");
        Assert.That(peak, Is.LessThanOrEqualTo(Budget));
        Assert.That(Closed(b), Is.LessThanOrEqualTo(Stallers), "only stalled claims were closed, never the flow's link");
        Assert.That(statistics.Find(a.Id, LinkDirection.Upstream), Is.Not.Null, "the flow's link is still open");

        await overlay.StopAllAsync();
        Assert.That(b.GetStatistics().Connections.PartialMessageBytes, Is.Zero);
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    private static long Closed(OverlayNode node) => node.GetStatistics().LinksClosedByError.GetValueOrDefault(WireError.PartialMessageBudget);
}
