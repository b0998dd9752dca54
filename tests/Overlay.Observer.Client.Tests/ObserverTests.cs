using NUnit.Framework;
using Overlay.Buffers;
using Overlay.Emulation;

namespace Overlay.Observer.Client.Tests;

[Category("Integration")]
public class ObserverTests
{
    [Test, CancelAfter(120_000)]
    public async Task FiftyNodes_Bootstrap_EachGetsASubsetOfLiveNodes_ModelListsAll()
    {
        await using var observer = new OverlayObserver(new ObserverOptions { BootstrapSubsetSize = 5, StatusInterval = TimeSpan.FromMilliseconds(300) });
        await observer.StartAsync();
        var pool = new MessagePool();
        var recorders = new List<Recorder>();
        var nodes = new List<OverlayNode>();
        try
        {
            for (var i = 0; i < 50; i++)
            {
                var recorder = new Recorder();
                var node = new OverlayNode(new OverlayNodeOptions { Pool = pool, ObserverEndPoint = observer.EndPoint }, recorder);
                await node.StartAsync();
                recorders.Add(recorder);
                nodes.Add(node);
                // One at a time, so the number of live nodes each one could be given is known.
                Assert.That(await Eventually.TrueAsync(() => !recorder.Events.IsEmpty, TimeSpan.FromSeconds(10)), Is.True, $"node {i} bootstrapped");
            }

            var ids = nodes.Select(n => n.Id).ToHashSet();
            for (var i = 0; i < 50; i++)
            {
                Assert.That(recorders[i].Bootstrap, Has.Count.EqualTo(Math.Min(5, i)), $"node {i}");
                Assert.That(recorders[i].Bootstrap, Is.Unique);
                Assert.That(recorders[i].Bootstrap.All(ids.Contains) && !recorders[i].Bootstrap.Contains(nodes[i].Id), Is.True);
                var bootstrap = recorders[i].Bootstrap;
                var known = await InvokeAsync(nodes[i], () => recorders[i].Known());
                Assert.That(known.IsSupersetOf(bootstrap), Is.True, "the base algorithm records its bootstrap set as known hosts");
            }

            Assert.That(
                await Eventually.TrueAsync(() => observer.GetNodes().Count(n => n.IsAlive && n.Status is not null) == 50, TimeSpan.FromSeconds(10)),
                Is.True,
                "the model lists every node with a status");
        }
        finally
        {
            await Task.WhenAll(nodes.Select(n => n.StopAsync()));
        }

        Assert.That(pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(120_000)]
    public async Task EveryControlCommand_WorksEndToEnd()
    {
        await using var observer = new OverlayObserver(new ObserverOptions { StatusInterval = TimeSpan.FromMilliseconds(250) });
        await observer.StartAsync();
        var pool = new MessagePool();
        var source = new Recorder();
        var sink = new Recorder();
        var a = new OverlayNode(new OverlayNodeOptions { Pool = pool, ObserverEndPoint = observer.EndPoint, MeasurementInterval = TimeSpan.FromMilliseconds(250) }, source);
        var b = new OverlayNode(new OverlayNodeOptions { Pool = pool, ObserverEndPoint = observer.EndPoint }, sink);
        await a.StartAsync();
        await b.StartAsync();
        try
        {
            Assert.That(await Eventually.TrueAsync(() => observer.GetNodes().Count(n => n.IsAlive) == 2, TimeSpan.FromSeconds(10)), Is.True);
            await a.InvokeAsync(() => source.Children.Add(b.Id));

            // Deploy a source: data flows to B.
            await observer.DeploySourceAsync(a.Id, 7, payloadLength: 5 * 1024);
            Assert.That(await Eventually.TrueAsync(() => sink.Delivered > 100, TimeSpan.FromSeconds(10)), Is.True);

            // Bandwidth: A's upload to 200 KB/s, and the throughput follows — measured from A's byte counter over two
            // consecutive 2-second windows (about 80 messages each), not from one 250 ms reading of a handful.
            await observer.SetBandwidthAsync(a.Id, BandwidthScope.Upload, 200_000);
            Assert.That(a.GetBandwidth(BandwidthScope.Upload), Is.EqualTo(200_000));
            var rate = await RateToBAsync(200_000);
            Assert.That(rate["AB"], Is.EqualTo(200_000).Within(25).Percent, "A→B after the upload limit");

            // Per-link bandwidth, read back from the model's status.
            await observer.SetLinkBandwidthAsync(a.Id, b.Id, LinkDirection.Downstream, 100_000);
            rate = await RateToBAsync(100_000);
            Assert.That(rate["AB"], Is.EqualTo(100_000).Within(25).Percent, "A→B after the link limit");
            Assert.That(
                await Eventually.TrueAsync(() => observer.GetNode(a.Id)?.Status?.Links.Any(l => l.Direction == LinkDirection.Downstream && l.BandwidthLimit == 100_000 && l.Applications.Contains(7)) == true, TimeSpan.FromSeconds(5)),
                Is.True);

            // Terminate the source: data stops. What was already in buffers drains at 100 KB/s until B has every message
            // A's source made; then neither count moves again (checked once more after the commands below).
            await observer.TerminateSourceAsync(a.Id, 7);
            Assert.That((await a.GetStatusAsync()).Sources, Is.Empty);
            Assert.That(await Eventually.TrueAsync(() => sink.Delivered == source.Produced, TimeSpan.FromSeconds(20)), Is.True, $"B has {sink.Delivered} of {source.Produced}");
            var stopped = source.Produced;

            // Join, leave and a custom command reach the algorithm.
            await observer.JoinAsync(b.Id, 3);
            await observer.LeaveAsync(b.Id, 3);
            await observer.SendCustomAsync(b.Id, 11, -42);
            await observer.SendCustomAsync(b.Id, 12, 5, new byte[] { 0xCA, 0xFE, 0x00, 0x01 });
            Assert.That(sink.Events, Does.Contain("join 3").And.Contain("leave 3").And.Contain("custom 11 -42").And.Contain("custom 12 5 CAFE0001"));
            Assert.That((source.Produced, sink.Delivered), Is.EqualTo((stopped, stopped)), "no data after the source was terminated");

            // A custom command's bytes are bounded, and the refusal comes before anything is sent.
            var tooLong = new byte[ControlRequest.MaxCustomPayloadLength + 1];
            await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => observer.SendCustomAsync(b.Id, 13, 0, tooLong));
            Assert.That(sink.Events, Has.None.StartsWith("custom 13"));

            // A refused command comes back as an error.
            await Assert.ThrowsAsync<ObserverCommandException>(() => observer.DeploySourceAsync(a.Id, 9, payloadLength: -1));

            // Terminate a node: the model marks it dead and its peer sees the failure.
            await observer.TerminateNodeAsync(b.Id);
            Assert.That(await Eventually.TrueAsync(() => observer.GetNode(b.Id)?.IsAlive == false, TimeSpan.FromSeconds(10)), Is.True);
            Assert.That(await Eventually.TrueAsync(() => source.Events.Contains($"broken downstream {b.Id}"), TimeSpan.FromSeconds(10)), Is.True);
            Assert.That(b.IsRunning, Is.False);
        }
        finally
        {
            await a.StopAsync();
            await b.StopAsync();
        }

        Assert.That(pool.Outstanding, Is.Zero);

        Task<Dictionary<string, double>> RateToBAsync(double expected) =>
            LinkRates.ConvergeAsync(
                new Dictionary<string, double> { ["AB"] = expected },
                0.25,
                TimeSpan.FromSeconds(30),
                () => LinkRates.MeasureAsync(new Dictionary<string, Func<long>> { ["AB"] = () => a.GetStatistics().Find(b.Id, LinkDirection.Downstream)?.Bytes ?? 0 }, TimeSpan.FromSeconds(2)));
    }

    [Test, CancelAfter(120_000)]
    public async Task TenThousandTraces_FromTenNodes_AllLandInTheLog_OneWholeLineEach()
    {
        var path = Path.Combine(Path.GetTempPath(), $"overlay-traces-{Guid.NewGuid():N}.log");
        try
        {
            var observer = new OverlayObserver(new ObserverOptions { TraceLogPath = path });
            await observer.StartAsync();
            var recorders = new List<Recorder>();
            var nodes = new List<OverlayNode>();
            for (var i = 0; i < 10; i++)
            {
                var recorder = new Recorder();
                var node = new OverlayNode(new OverlayNodeOptions { ObserverEndPoint = observer.EndPoint }, recorder);
                await node.StartAsync();
                recorders.Add(recorder);
                nodes.Add(node);
            }

            Assert.That(await Eventually.TrueAsync(() => nodes.All(n => n.IsObserverConnected), TimeSpan.FromSeconds(10)), Is.True);
            await Task.WhenAll(nodes.Select((node, i) => Task.Run(() =>
            {
                for (var k = 0; k < 1000; k++)
                    recorders[i].Say($"node {i} trace {k}\twith a tab and\na line break");
            })));
            Assert.That(await Eventually.TrueAsync(() => observer.TracesReceived == 10_000, TimeSpan.FromSeconds(30)), Is.True, $"{observer.TracesReceived} traces");
            await observer.DisposeAsync();
            await Task.WhenAll(nodes.Select(n => n.StopAsync()));

            var lines = await File.ReadAllLinesAsync(path);
            Assert.That(lines, Has.Length.EqualTo(10_000));
            var seen = new HashSet<(int, int)>();
            foreach (var line in lines)
            {
                var (_, node, text) = TraceRecord.Parse(line);
                Assert.That(nodes.Select(n => n.Id), Does.Contain(node));
                var words = text.Split(' ', '\t', '\n');
                Assert.That(text, Does.EndWith("\twith a tab and\na line break"));
                seen.Add((int.Parse(words[1], System.Globalization.CultureInfo.InvariantCulture), int.Parse(words[3], System.Globalization.CultureInfo.InvariantCulture)));
            }

            Assert.That(seen, Has.Count.EqualTo(10_000), "every trace exactly once");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test, CancelAfter(120_000)]
    public async Task ObserverKilledAndRestarted_NodesKeepForwarding_AndRegisterAgain()
    {
        var first = new OverlayObserver(new ObserverOptions());
        await first.StartAsync();
        var endPoint = first.EndPoint;
        var pool = new MessagePool();
        var source = new Recorder();
        var sink = new Recorder();
        var a = new OverlayNode(new OverlayNodeOptions { Pool = pool, ObserverEndPoint = endPoint }, source);
        var b = new OverlayNode(new OverlayNodeOptions { Pool = pool, ObserverEndPoint = endPoint }, sink);
        await a.StartAsync();
        await b.StartAsync();
        await a.InvokeAsync(() => source.Children.Add(b.Id));
        await a.DeploySourceAsync(1, new SourceOptions { PayloadLength = 1000 });
        Assert.That(await Eventually.TrueAsync(() => first.GetNodes().Count(n => n.IsAlive) == 2, TimeSpan.FromSeconds(10)), Is.True);

        await first.DisposeAsync();
        var during = sink.Delivered;
        Assert.That(await Eventually.TrueAsync(() => sink.Delivered > during + 100, TimeSpan.FromSeconds(20)), Is.True, "data kept flowing without the observer");

        await using var second = await StartOnFreedPortAsync(endPoint.Port);
        Assert.That(await Eventually.TrueAsync(() => second.GetNodes().Count(n => n.IsAlive) == 2, TimeSpan.FromSeconds(15)), Is.True, "nodes registered again");
        Assert.That(a.ObserverConnections, Is.GreaterThanOrEqualTo(2));
        var after = sink.Delivered;
        Assert.That(await Eventually.TrueAsync(() => sink.Delivered > after + 100, TimeSpan.FromSeconds(20)), Is.True, "data flows with the new observer");
        await a.StopAsync();
        await b.StopAsync();
        Assert.That(pool.Outstanding, Is.Zero);
    }

    // The first observer's port came from the ephemeral range, and the nodes keep connecting to it while it is down:
    // one of their attempts (or another test's connection) can be given that very port as its local end for a moment
    // (seen: "Address already in use"). A restarted observer retries the bind, as an operator would.
    private static async Task<OverlayObserver> StartOnFreedPortAsync(int port)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var observer = new OverlayObserver(new ObserverOptions { Port = port });
            try
            {
                await observer.StartAsync();
                return observer;
            }
            catch (System.Net.Sockets.SocketException ex) when (ex.SocketErrorCode == System.Net.Sockets.SocketError.AddressAlreadyInUse && DateTime.UtcNow < deadline)
            {
                await observer.DisposeAsync();
                TestContext.Out.WriteLine($"port {port} still in use; retrying");
                await Task.Delay(200);
            }
        }
    }

    private static async Task<T> InvokeAsync<T>(OverlayNode node, Func<T> read)
    {
        T result = default!;
        await node.InvokeAsync(() => result = read());
        return result;
    }
}
