using NUnit.Framework;

namespace Overlay.Algorithms.Tests.Sessions;

[Category("Integration")]
public class GossipTests
{
    private const int Rumour = MessageTypes.AlgorithmStart;

    [Test, CancelAfter(60_000)]
    public async Task Disseminate_ProbabilityOne_EveryHostButSelfReceivesOnce()
    {
        await using var overlay = new TestOverlay();
        var (sender, node, receivers) = await StartAsync(overlay, 8);
        var hosts = receivers.Select(r => r.Node.Id).Append(node.Id).ToArray();
        var sent = 0;
        await node.InvokeAsync(() => sent = sender.Spread(hosts, 1.0));
        Assert.That(sent, Is.EqualTo(8));
        Assert.That(await Eventually.TrueAsync(() => receivers.All(r => r.Gossiper.Received == 1), TimeSpan.FromSeconds(10)), Is.True);
        await Task.Delay(200);
        Assert.That(receivers.Select(r => r.Gossiper.Received), Is.All.EqualTo(1));
        Assert.That(sender.Received, Is.Zero);
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    // Seeded coin flips: a fixed, strict subset receives, and the count returned is the count that arrives.
    [Test, CancelAfter(60_000)]
    public async Task Disseminate_ProbabilityHalf_AStrictSubsetReceives()
    {
        await using var overlay = new TestOverlay();
        var (sender, node, receivers) = await StartAsync(overlay, 16);
        var sent = 0;
        await node.InvokeAsync(() => sent = sender.Spread(receivers.Select(r => r.Node.Id), 0.5));
        Assert.That(sent, Is.InRange(1, 15));
        Assert.That(await Eventually.TrueAsync(() => receivers.Sum(r => r.Gossiper.Received) == sent, TimeSpan.FromSeconds(10)), Is.True);
        await Task.Delay(200);
        Assert.That(receivers.Sum(r => r.Gossiper.Received), Is.EqualTo(sent));
        await overlay.StopAllAsync();
    }

    [Test, CancelAfter(60_000)]
    public async Task Disseminate_ProbabilityAboveOne_Throws()
    {
        await using var overlay = new TestOverlay();
        var (sender, node, receivers) = await StartAsync(overlay, 1);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => node.InvokeAsync(() => sender.Spread([receivers[0].Node.Id], 1.5)));
        await overlay.StopAllAsync();
    }

    [Test, CancelAfter(60_000)]
    public async Task AddKnownHosts_FromAnotherThread_NextDisseminationToKnownHostsReachesThem()
    {
        await using var overlay = new TestOverlay();
        var (sender, node, receivers) = await StartAsync(overlay, 5);
        await Task.Run(() => sender.AddKnownHosts(receivers.Select(r => r.Node.Id)));
        var sent = 0;
        await node.InvokeAsync(() => sent = sender.SpreadToKnownHosts());
        Assert.That(sent, Is.EqualTo(5));
        Assert.That(await Eventually.TrueAsync(() => receivers.All(r => r.Gossiper.Received == 1), TimeSpan.FromSeconds(10)), Is.True);
        await overlay.StopAllAsync();
    }

    private static async Task<(Gossiper Sender, OverlayNode Node, List<(Gossiper Gossiper, OverlayNode Node)> Receivers)> StartAsync(TestOverlay overlay, int receivers)
    {
        var sender = new Gossiper(seed: 5);
        var node = await overlay.AddAsync(sender);
        var list = new List<(Gossiper, OverlayNode)>();
        for (var i = 0; i < receivers; i++)
        {
            var gossiper = new Gossiper(seed: i);
            list.Add((gossiper, await overlay.AddAsync(gossiper)));
        }

        return (sender, node, list);
    }

    /// <summary>Spreads a rumour on request; counts the rumours it receives.</summary>
    private sealed class Gossiper(int seed) : GossipAlgorithm(seed)
    {
        private long _received;

        public long Received => Interlocked.Read(ref _received);

        public int Spread(IEnumerable<NodeId> hosts, double probability) => Disseminate(CreateMessage(Rumour, 1, 16), hosts, probability);

        public int SpreadToKnownHosts() => Disseminate(CreateMessage(Rumour, 1, 16), KnownHosts, 1.0);

        public override Disposition Process(Message message)
        {
            if (message.Type != Rumour)
                return base.Process(message);
            Interlocked.Increment(ref _received);
            return Disposition.Consumed;
        }
    }
}
