using System.Diagnostics;
using NUnit.Framework;

namespace Overlay.Core.Tests.Engine;

[Category("Integration")]
public class VirtualNodeTests
{
    [Test, CancelAfter(120_000)]
    public async Task TwoHundredNodes_WithFourIdleLinksEach_StartIdleAndStopCleanly()
    {
        const int Count = 200;
        var process = Process.GetCurrentProcess();
        var threadsBefore = process.Threads.Count;
        await using var overlay = new TestOverlay();
        var greeters = new Greeter[Count];
        var nodes = new OverlayNode[Count];
        for (var i = 0; i < Count; i++)
            nodes[i] = await overlay.AddAsync(greeters[i] = new Greeter());

        var random = new Random(4);
        for (var i = 0; i < Count; i++)
        {
            var peers = new HashSet<NodeId>();
            while (peers.Count < 4)
            {
                var j = random.Next(Count);
                if (j != i)
                    peers.Add(nodes[j].Id);
            }

            var greeter = greeters[i];
            await nodes[i].InvokeAsync(() => greeter.Greet(peers));
        }

        Assert.That(
            await Eventually.TrueAsync(() => greeters.Sum(g => g.Greetings) == Count * 4, TimeSpan.FromSeconds(60)),
            Is.True,
            $"{greeters.Sum(g => g.Greetings)} greetings arrived");
        Assert.That(nodes.Sum(n => n.GetStatistics().Downstreams.Count), Is.EqualTo(Count * 4));

        // Idle: nothing flows, so the nodes should cost (almost) nothing.
        await Task.Delay(500);
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await Task.Delay(3000);
        process.Refresh();
        var cpuShare = (process.TotalProcessorTime - cpuBefore) / clock.Elapsed;
        var threads = process.Threads.Count;
        TestContext.Out.WriteLine($"idle CPU {cpuShare:P1} of one core, threads {threadsBefore} -> {threads}");
        // Idle is not free: every idle link carries keep-alives and round-trip probes (about 7 tiny frames a second),
        // ~18 % of a core for these 800 links on the reference machine. A spinning loop would take a whole core.
        Assert.That(cpuShare, Is.LessThan(0.5), "idle nodes are spinning");
        Assert.That(threads - threadsBefore, Is.LessThan(Count / 2), "nodes must share threads, not own them");

        var stop = Stopwatch.StartNew();
        await overlay.StopAllAsync();
        TestContext.Out.WriteLine($"stopped {Count} nodes in {stop.ElapsedMilliseconds} ms");
        Assert.That(nodes.All(n => n.Completion.IsCompletedSuccessfully), Is.True);
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    private sealed class Greeter : Algorithm
    {
        private int _greetings;

        public int Greetings => Volatile.Read(ref _greetings);

        public void Greet(IEnumerable<NodeId> peers)
        {
            foreach (var peer in peers)
                Send(CreateMessage(MessageTypes.AlgorithmStart, 0, 16), peer);
        }

        public override Disposition Process(Message message)
        {
            if (message.Type == MessageTypes.AlgorithmStart)
                Interlocked.Increment(ref _greetings);
            return base.Process(message);
        }
    }
}
