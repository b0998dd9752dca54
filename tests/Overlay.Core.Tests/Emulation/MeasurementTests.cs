using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using NUnit.Framework;

namespace Overlay.Core.Tests.Emulation;

[Category("Integration")]
public class MeasurementTests
{
    [Test, CancelAfter(60_000)]
    public async Task MeasurePeer_OverALimitedLink_ReportsTheLimitAndRoundTrip()
    {
        await using var overlay = new TestOverlay();
        var measurer = new Measurer();
        var a = await overlay.AddAsync(measurer);
        var b = await overlay.AddAsync(new RelayAlgorithm());
        a.SetLinkBandwidth(b.Id, LinkDirection.Downstream, 200_000);

        await a.InvokeAsync(() => measurer.Measure(b.Id));
        Assert.That(await Eventually.TrueAsync(() => measurer.Results.ContainsKey(b.Id), TimeSpan.FromSeconds(15)), Is.True);
        var result = measurer.Results[b.Id];
        TestContext.Out.WriteLine($"measured {result.BytesPerSecond / 1000:F1} KB/s, RTT {result.RoundTripTime?.TotalMilliseconds:F2} ms");
        Assert.That(result.BytesPerSecond, Is.EqualTo(200_000).Within(25).Percent);
        Assert.That(result.RoundTripTime, Is.Not.Null);
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(60_000)]
    public async Task MeasurePeer_Unreachable_ReportsFailure()
    {
        await using var overlay = new TestOverlay();
        var measurer = new Measurer();
        var a = await overlay.AddAsync(measurer);
        var nobody = NodeId.FromEndPoint(FreePort());

        await a.InvokeAsync(() => measurer.Measure(nobody));
        Assert.That(await Eventually.TrueAsync(() => measurer.Results.ContainsKey(nobody), TimeSpan.FromSeconds(15)), Is.True);
        Assert.That(measurer.Results[nobody].BytesPerSecond, Is.Null);
        Assert.That(measurer.SendFailures, Does.Contain(nobody));
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    private static IPEndPoint FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return (IPEndPoint)probe.LocalEndPoint!; // closed again at once: nobody listens there
    }

    private sealed class Measurer : Algorithm
    {
        public ConcurrentDictionary<NodeId, MeasurementResult> Results { get; } = new();

        public ConcurrentBag<NodeId> SendFailures { get; } = [];

        public void Measure(NodeId peer) => MeasurePeer(peer);

        public override Disposition Process(Message message)
        {
            if (MeasurementResult.TryRead(message, out var result))
                Results[message.Sender] = result;
            return base.Process(message);
        }

        protected override void OnSendFailed(NodeId peer) => SendFailures.Add(peer);
    }
}
