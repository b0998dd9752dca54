using NUnit.Framework;
using Overlay.Modules;

namespace Overlay.Core.Tests.Modules;

/// <summary>
/// Stacks on real nodes: a chain A → B → C in which only a toy forwarding layer knows the way (A has no link to C),
/// carrying the layers above it across B and delivering their messages up at C with their own types.
/// </summary>
[Category("Integration")]
public class StackedChainTests
{
    private const int Count = 300;

    [Test, CancelAfter(60_000)]
    public async Task TwoLayers_TheForwardingLayerCarriesTheAppsLinesAcrossB_AndDeliversThemUpAtC()
    {
        await using var overlay = new TestOverlay();
        var (forwarding, chat) = (new ForwardingModule[3], new ChatModule[3]);
        var nodes = new OverlayNode[3];
        for (var i = 0; i < 3; i++)
        {
            forwarding[i] = new ForwardingModule();
            chat[i] = new ChatModule();
            nodes[i] = await overlay.AddAsync(new ProtocolStack(forwarding[i], chat[i]));
        }

        var (a, b, c) = (nodes[0], nodes[1], nodes[2]);
        forwarding[0].NextHop[c.Id] = b.Id;
        await a.InvokeAsync(() =>
        {
            for (var i = 0; i < Count; i++)
                chat[0].Say(c.Id, i, "line " + i);
        });

        Assert.That(await Eventually.TrueAsync(() => chat[2].Received.Count >= Count, TimeSpan.FromSeconds(30)), Is.True, $"{chat[2].Received.Count} lines at C");
        Assert.That(chat[2].Received.Select(r => r.Type), Is.All.EqualTo(ChatModule.Line), "C's app sees its own type");
        Assert.That(chat[2].Received.Select(r => r.Sender), Is.All.EqualTo(a.Id), "the original sender is kept");
        Assert.That(chat[2].Received.Select(r => (r.Sequence, r.Text)), Is.EqualTo(Enumerable.Range(0, Count).Select(i => (i, "line " + i))));
        Assert.That(forwarding[0].Wrapped, Is.EqualTo(Count));
        Assert.That(forwarding[1].Forwarded, Is.EqualTo(Count), "B forwards every carrier");
        Assert.That(forwarding[2].Delivered, Is.EqualTo(Count));
        Assert.That(chat[1].Received, Is.Empty, "B only forwards");
        Assert.That(a.GetStatistics().Find(c.Id, LinkDirection.Downstream), Is.Null, "A never linked to C");
        Assert.That(c.GetStatistics().Find(b.Id, LinkDirection.Upstream)?.Messages, Is.EqualTo(Count), "the lines came through B");

        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
        Assert.That(overlay.Pool.DoubleReleases, Is.Zero);
    }

    [Test, CancelAfter(60_000)]
    public async Task ThreeLayers_EachLayerWrapsOnTheWayDown_AndUnwrapsOnTheWayUp()
    {
        await using var overlay = new TestOverlay();
        var (forwarding, numbering, chat) = (new ForwardingModule[3], new NumberingModule[3], new ChatModule[3]);
        var nodes = new OverlayNode[3];
        for (var i = 0; i < 3; i++)
        {
            (forwarding[i], numbering[i], chat[i]) = (new ForwardingModule(), new NumberingModule(), new ChatModule());
            nodes[i] = await overlay.AddAsync(new ProtocolStack(forwarding[i], numbering[i], chat[i]));
        }

        var (a, b, c) = (nodes[0], nodes[1], nodes[2]);
        forwarding[0].NextHop[c.Id] = b.Id;
        await a.InvokeAsync(() =>
        {
            for (var i = 0; i < Count; i++)
                chat[0].Say(c.Id, i, "line " + i);
        });

        Assert.That(await Eventually.TrueAsync(() => chat[2].Received.Count >= Count, TimeSpan.FromSeconds(30)), Is.True, $"{chat[2].Received.Count} lines at C");
        Assert.That(numbering[2].Received, Is.EqualTo(Enumerable.Range(0, Count)), "C's session layer got every number, in order");
        Assert.That(chat[2].Received.Select(r => (r.Type, r.Sender, r.Sequence, r.Text)), Is.EqualTo(Enumerable.Range(0, Count).Select(i => (ChatModule.Line, a.Id, i, "line " + i))));
        Assert.That(forwarding[1].Forwarded, Is.EqualTo(Count));
        Assert.That(numbering[1].Received, Is.Empty, "B's upper layers see nothing");
        Assert.That(chat[1].Received, Is.Empty);

        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
        Assert.That(overlay.Pool.DoubleReleases, Is.Zero);
    }

    [Test, CancelAfter(60_000)]
    public async Task AnExistingAlgorithm_Unchanged_RunsOverTheForwardingLayer()
    {
        // RelayAlgorithm knows nothing of layers: it sends a source's messages to its child C, and the forwarding layer
        // beneath it carries them through B.
        await using var overlay = new TestOverlay();
        var relays = new RelayAlgorithm[3];
        var forwarding = new ForwardingModule[3];
        var nodes = new OverlayNode[3];
        for (var i = 0; i < 3; i++)
        {
            relays[i] = new RelayAlgorithm();
            forwarding[i] = new ForwardingModule();
            nodes[i] = await overlay.AddAsync(new ProtocolStack(forwarding[i], new AlgorithmModule(relays[i], MessageTypeRange.Single(MessageTypes.Data))));
        }

        var (a, b, c) = (nodes[0], nodes[1], nodes[2]);
        forwarding[0].NextHop[c.Id] = b.Id;
        relays[0].Children.Add(c.Id);
        await a.DeploySourceAsync(1, new SourceOptions { PayloadLength = 1000, MessageLimit = Count });

        Assert.That(await Eventually.TrueAsync(() => relays[2].Delivered >= Count, TimeSpan.FromSeconds(30)), Is.True, $"{relays[2].Delivered} at C");
        Assert.That(forwarding[1].Forwarded, Is.EqualTo(Count));
        Assert.That(relays[1].Delivered, Is.Zero, "B's relay never saw the data");
        Assert.That(a.GetStatistics().Find(c.Id, LinkDirection.Downstream), Is.Null, "A never linked to C");

        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
        Assert.That(overlay.Pool.DoubleReleases, Is.Zero);
    }

    [Test, CancelAfter(60_000)]
    public async Task AnExistingAlgorithm_AloneInAStack_BehavesAsItDoesAlone()
    {
        await using var overlay = new TestOverlay();
        var relays = new RelayAlgorithm[3];
        var nodes = new OverlayNode[3];
        for (var i = 0; i < 3; i++)
        {
            relays[i] = new RelayAlgorithm();
            var all = new MessageTypeRange(1, MessageTypes.EngineReservedStart - 1);
            nodes[i] = await overlay.AddAsync(new ProtocolStack(new AlgorithmModule(relays[i], all)));
        }

        relays[0].Children.Add(nodes[1].Id);
        relays[1].Children.Add(nodes[2].Id);
        await nodes[0].DeploySourceAsync(1, new SourceOptions { PayloadLength = 1000, MessageLimit = Count });

        Assert.That(await Eventually.TrueAsync(() => relays[2].Delivered >= Count, TimeSpan.FromSeconds(30)), Is.True, $"{relays[2].Delivered} at C");
        Assert.That(relays[1].ArrivalsFrom(nodes[0].Id), Is.EqualTo(Enumerable.Range(0, Count)));
        Assert.That(relays[2].ArrivalsFrom(nodes[1].Id), Is.EqualTo(Enumerable.Range(0, Count)));
        Assert.That(relays[2].Corrupt + relays[1].Corrupt, Is.Zero);

        // Its failure handlers still run: C ends abruptly, B's relay is told and forgets the child.
        await nodes[2].TerminateAsync();
        Assert.That(
            await Eventually.TrueAsync(() => relays[1].Failures.Any(f => f.Peer == nodes[2].Id && f.Type == MessageTypes.BrokenDownstream), TimeSpan.FromSeconds(30)),
            Is.True,
            "B's relay heard that C broke");
        Assert.That(await Eventually.TrueAsync(() => relays[1].Children.Count == 0, TimeSpan.FromSeconds(10)), Is.True);

        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
        Assert.That(overlay.Pool.DoubleReleases, Is.Zero);
    }
}
