using System.Diagnostics;
using NUnit.Framework;
using Overlay.Buffers;
using Overlay.Core.Tests.Transport;
using Overlay.Engine;
using Overlay.Transport;
using Overlay.Transport.Tcp;

namespace Overlay.Core.Tests.Emulation;

/// <summary>
/// With an emulated limit, back pressure reaches the source about as fast as the buffers the engine promises imply,
/// with default options: the kernel's socket buffers of a limited link are sized to its rate, so megabytes do not
/// queue in the kernel at tens of KB/s.
/// </summary>
[Category("Integration")]
public class KernelBufferTests
{
    private const double UpstreamRate = 400_000;
    private const double Limit = 40_000;

    [TestCase(false, TestName = "BackPressure_FromALinkLimitSetAtRunTime_ReachesTheSourceWithinTwoSeconds")]
    [TestCase(true, TestName = "BackPressure_FromAnUploadLimitInOptions_ReachesTheSourceWithinTwoSeconds")]
    [CancelAfter(120_000)]
    public async Task BackPressure_ReachesTheSourceWithinTwoSeconds(bool inOptions)
    {
        // S → M → D; S's link to M carries 400 KB/s (as in the paper's Fig. 6), M sends on at 40 KB/s. Default
        // options otherwise: no socket buffer size is set.
        await using var overlay = new TestOverlay();
        var source = new RelayAlgorithm();
        var middle = new RelayAlgorithm();
        var sink = new RelayAlgorithm();
        var s = await overlay.AddAsync(source);
        var m = await overlay.AddAsync(middle, o => o.UploadBandwidth = inOptions ? Limit : null);
        var d = await overlay.AddAsync(sink);
        source.Children.Add(m.Id);
        middle.Children.Add(d.Id);
        s.SetLinkBandwidth(m.Id, LinkDirection.Downstream, UpstreamRate);
        await s.DeploySourceAsync(1, new SourceOptions { PayloadLength = 1000 });
        Assert.That(await Eventually.TrueAsync(() => sink.Delivered > 100, TimeSpan.FromSeconds(20)), Is.True, "data flows");
        if (!inOptions)
            m.SetLinkBandwidth(d.Id, LinkDirection.Downstream, Limit); // on links that already carry data

        long Sent() => s.GetStatistics().Find(m.Id, LinkDirection.Downstream)?.Bytes ?? 0;
        long Arrived() => d.GetStatistics().Find(m.Id, LinkDirection.Upstream)?.Bytes ?? 0;

        // Wait for the source to stall: over a second (or more) its link moves no faster than twice the limit.
        var clock = Stopwatch.StartNew();
        var (lastSent, lastAt) = (Sent(), clock.Elapsed);
        var stalled = false;
        while (!stalled && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(1000);
            var (sent, at) = (Sent(), clock.Elapsed);
            stalled = (sent - lastSent) / (at - lastAt).TotalSeconds <= 2 * Limit;
            (lastSent, lastAt) = (sent, at);
        }

        // What the source produced beyond what reached the end of the chain is the queue back pressure had to fill
        // before it reached the source. Measured in bytes, not seconds, so a slow machine changes nothing: at most
        // what S's 400 KB/s link carries in two seconds.
        var queued = Sent() - Arrived();
        TestContext.Out.WriteLine($"source stalled: {stalled} after {clock.Elapsed.TotalSeconds:F1} s; queued between S and D: {queued / 1024} KiB");
        Assert.That(stalled, Is.True, "the source stalls at the limit");
        Assert.That(queued, Is.LessThanOrEqualTo(2 * UpstreamRate), "bytes queued between the source and the end of the chain");
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task KernelBuffer_SizedToALimit_GetsItsSizeBackWhenTheLimitIsLifted(bool send)
    {
        var (client, server) = await LoopbackPair.ConnectAsync();
        using (server)
        {
            var pool = new MessagePool();
            await using var connection = new TcpConnection(client, new NodeId(0x7F000001, 1), new FrameReader(pool, 1024));
            int Size() => send ? client.SendBufferSize : client.ReceiveBufferSize;
            var before = Size();

            connection.SetKernelBuffer(send, KernelBufferSizing.SizeFor(40_000));
            var limited = Size();
            connection.SetKernelBuffer(send, KernelBufferSizing.SizeFor(20_000)); // a changed limit
            connection.SetKernelBuffer(send, null); // every limit lifted
            var after = Size();

            TestContext.Out.WriteLine($"{(send ? "send" : "receive")} buffer: {before} → {limited} → {after}");
            Assert.That(limited, Is.LessThan(before));
            Assert.That(limited, Is.LessThanOrEqualTo(2 * KernelBufferSizing.Minimum)); // Linux reports twice what was set
            Assert.That(after, Is.EqualTo(before));
        }
    }
}
