using NUnit.Framework;
using Overlay.Modules;

namespace Overlay.Core.Tests.Modules;

/// <summary>A non-blocking send and a query for room go down a stack the way a send does: each layer may answer.</summary>
[Category("Integration")]
public class StackTrySendTests
{
    private const int Type = 0x300;

    [Test, CancelAfter(60_000)]
    public async Task TrySendAndCanSend_PassThroughTheLayerBelow_ToTheNode()
    {
        await using var overlay = new TestOverlay();
        var (layer, app) = (new CountingLayer(), new TryingApp());
        var a = await overlay.AddAsync(new ProtocolStack(layer, app));
        var receiver = new TryingApp();
        var b = await overlay.AddAsync(new ProtocolStack(new CountingLayer(), receiver));

        // One try per call on A's loop until B has 50: tries refused for want of room are simply made again.
        const int Wanted = 50;
        var attempts = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (app.Accepted < Wanted && DateTime.UtcNow < deadline)
        {
            await a.InvokeAsync(() =>
            {
                if (app.Room(b.Id))
                {
                    attempts++;
                    app.TrySay(b.Id);
                }
            });
        }

        Assert.That(await Eventually.TrueAsync(() => receiver.Received >= Wanted, TimeSpan.FromSeconds(30)), Is.True, $"{receiver.Received} of {Wanted} at B");

        Assert.That(layer.Tries, Is.EqualTo(attempts), "every TrySend went through the layer below");
        Assert.That(layer.Queries, Is.GreaterThanOrEqualTo(attempts), "every CanSend went through the layer below");
        Assert.That(app.Accepted, Is.EqualTo(Wanted));
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(60_000)]
    public async Task ALayerThatRefuses_IsTheAnswer_AndNothingIsSentOrKept()
    {
        await using var overlay = new TestOverlay();
        var (layer, app) = (new CountingLayer { Refuse = true }, new TryingApp());
        var a = await overlay.AddAsync(new ProtocolStack(layer, app));
        var receiver = new TryingApp();
        var b = await overlay.AddAsync(new ProtocolStack(new CountingLayer(), receiver));

        var (room, sent) = (true, true);
        await a.InvokeAsync(() =>
        {
            room = app.Room(b.Id);
            sent = app.TrySay(b.Id);
        });

        Assert.That((room, sent), Is.EqualTo((false, false)));
        Assert.That((layer.Tries, layer.Queries), Is.EqualTo((1, 1)));
        Assert.That(a.GetStatistics().Find(b.Id, LinkDirection.Downstream), Is.Null, "the refusal happened above the node: no link opened");
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    private sealed class CountingLayer : ProtocolModule
    {
        public bool Refuse { get; init; }

        public int Tries { get; private set; }

        public int Queries { get; private set; }

        protected override bool OnTrySendFromAbove(Message message, NodeId destination)
        {
            Tries++;
            return !Refuse && base.OnTrySendFromAbove(message, destination);
        }

        protected override bool OnCanSendFromAbove(NodeId destination)
        {
            Queries++;
            return !Refuse && base.OnCanSendFromAbove(destination);
        }
    }

    private sealed class TryingApp() : ProtocolModule(MessageTypeRange.Single(Type))
    {
        public int Accepted { get; private set; }

        public int Received { get; private set; }

        public bool Room(NodeId peer) => CanSend(peer);

        public bool TrySay(NodeId peer)
        {
            var ok = TrySend(CreateMessage(Type, 1, 16), peer);
            if (ok)
                Accepted++;
            return ok;
        }

        public override Disposition Process(Message message)
        {
            if (message.Type != Type)
                return base.Process(message);
            Received++;
            return Disposition.Consumed;
        }
    }
}
