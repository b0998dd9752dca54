using NUnit.Framework;
using Overlay.Buffers;
using Overlay.Modules;

namespace Overlay.Core.Tests.Modules;

/// <summary>The stack's per-message paths allocate nothing: dispatch by type, a notification to every layer, an up-call, an unowned type.</summary>
public class StackAllocationTests
{
    [Test]
    public void Dispatch_Broadcast_UpCall_AndUnowned_AllocateNothing()
    {
        var pool = new MessagePool();
        var routing = new CountingModule(new MessageTypeRange(16, 31)) { DeliverAs = 1500 };
        var session = new CountingModule(new MessageTypeRange(100, 199));
        var app = new CountingModule(new MessageTypeRange(1000, 1999));
        var stack = new ProtocolStack(routing, session, app);
        using var owned = new Owned(pool, 150);
        using var carried = new Owned(pool, 20);
        using var notification = new Owned(pool, MessageTypes.DownThroughput);
        using var unowned = new Owned(pool, 50);

        void Round()
        {
            stack.Process(owned.Message);
            carried.Message.Type = 20; // the routing module relabels it to 1500 and delivers it up
            stack.Process(carried.Message);
            stack.Process(notification.Message);
            stack.Process(unowned.Message);
        }

        for (var i = 0; i < 100; i++)
            Round(); // warm up (JIT, first-time log checks)
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
            Round();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(allocated, Is.Zero, "bytes allocated over 40,000 messages");
        Assert.That(session.Count, Is.EqualTo(10_100 * 2), "the owned message and the notification");
        Assert.That(app.Count, Is.EqualTo(10_100 * 2), "the delivered message and the notification");
        Assert.That(stack.UnownedMessages, Is.EqualTo(10_100));
        Assert.That(pool.Outstanding, Is.EqualTo(4), "only the test's own references");
    }

    private sealed class CountingModule(params MessageTypeRange[] types) : ProtocolModule(types)
    {
        public int? DeliverAs { get; init; }

        public int Count { get; private set; }

        public override Disposition Process(Message message)
        {
            Count++;
            if (DeliverAs is { } type && !MessageTypes.IsEngineReserved(message.Type))
            {
                message.Type = type;
                DeliverUp(message);
            }

            return Disposition.Consumed;
        }
    }

    private sealed class Owned : IDisposable
    {
        public Owned(MessagePool pool, int type)
        {
            Message = pool.Rent(8);
            Message.Type = type;
        }

        public Message Message { get; }

        public void Dispose() => Message.Release();
    }
}
