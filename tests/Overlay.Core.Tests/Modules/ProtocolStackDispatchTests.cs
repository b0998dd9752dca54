using System.Collections.Concurrent;
using NUnit.Framework;
using Overlay.Buffers;
using Overlay.Modules;

namespace Overlay.Core.Tests.Modules;

/// <summary>
/// The stack's dispatch, without a network: a message goes to the module owning its type, an engine notification to
/// every module bottom-up, an up-call only upwards — and every reference is accounted for (the pool drains to zero).
/// The test plays the engine: it rents a message, calls <see cref="ProtocolStack.Process"/>, and releases the message
/// unless the answer is Hold.
/// </summary>
public class ProtocolStackDispatchTests
{
    private ConcurrentQueue<(string Module, string Call, int Type)> _journal = null!;
    private MessagePool _pool = null!;
    private RecordingModule _routing = null!;
    private RecordingModule _session = null!;
    private RecordingModule _app = null!;
    private ProtocolStack _stack = null!;

    [SetUp]
    public void Build()
    {
        // NUnit runs every test of a fixture on one instance: each starts from a fresh journal and pool.
        _journal = new();
        _pool = new();
        _routing = new RecordingModule("Routing", _journal, new MessageTypeRange(16, 31));
        _session = new RecordingModule("Session", _journal, MessageTypeRange.Single(100), new MessageTypeRange(200, 299));
        _app = new RecordingModule("App", _journal, MessageTypeRange.Single(MessageTypes.Data), new MessageTypeRange(1000, 1999));
        _stack = new ProtocolStack(_routing, _session, _app);
    }

    [TestCase(16, "Routing")]
    [TestCase(31, "Routing")]
    [TestCase(100, "Session")]
    [TestCase(250, "Session")]
    [TestCase(MessageTypes.Data, "App")]
    [TestCase(1000, "App")]
    [TestCase(1999, "App")]
    public void AMessage_GoesToTheModuleOwningItsType_Only(int type, string owner)
    {
        var disposition = Give(type);

        Assert.That(disposition, Is.EqualTo(Disposition.Consumed));
        Assert.That(_journal, Is.EqualTo(new[] { (owner, "Process", type) }));
        Assert.That(_stack.OwnerOf(type)!.Name, Is.EqualTo(owner));
        Assert.That(_pool.Outstanding, Is.Zero);
    }

    [TestCase(2)]
    [TestCase(15)]
    [TestCase(32)]
    [TestCase(101)]
    [TestCase(2000)]
    public void AnUnownedType_IsCountedAndConsumed(int type)
    {
        var disposition = Give(type);

        Assert.That(disposition, Is.EqualTo(Disposition.Consumed));
        Assert.That(_journal, Is.Empty);
        Assert.That(_stack.UnownedMessages, Is.EqualTo(1));
        Assert.That(_pool.Outstanding, Is.Zero);
    }

    [Test]
    public void TheOwnersHold_IsTheStacksAnswer()
    {
        _session.HoldAll = true;

        Assert.That(Give(250), Is.EqualTo(Disposition.Hold));
        Assert.That(_pool.Outstanding, Is.EqualTo(1), "the session holds the engine's reference");
        _session.ReleaseHeld();
        Assert.That(_pool.Outstanding, Is.Zero);
        Assert.That(_pool.DoubleReleases, Is.Zero);
    }

    [TestCase(MessageTypes.BrokenUpstream)]
    [TestCase(MessageTypes.BrokenDownstream)]
    [TestCase(MessageTypes.SendFailed)]
    [TestCase(MessageTypes.BrokenSource)]
    [TestCase(MessageTypes.SourceCompleted)]
    [TestCase(MessageTypes.UpThroughput)]
    [TestCase(MessageTypes.DownThroughput)]
    [TestCase(MessageTypes.MeasurementResult)]
    [TestCase(MessageTypes.Bootstrap)]
    [TestCase(MessageTypes.CustomControl)]
    public void AnEngineNotification_ReachesEveryModule_BottomUp(int type)
    {
        Assert.That(Give(type), Is.EqualTo(Disposition.Consumed));

        Assert.That(_journal, Is.EqualTo(new[] { ("Routing", "Process", type), ("Session", "Process", type), ("App", "Process", type) }));
        Assert.That(_pool.Outstanding, Is.Zero);
    }

    [Test]
    public void ANotification_HeldByTwoModules_GivesEachItsOwnReference()
    {
        _routing.HoldAll = true;
        _app.HoldAll = true;

        // The stack answers Consumed, so the engine releases its own reference; each holder keeps one.
        Assert.That(Give(MessageTypes.BrokenDownstream), Is.EqualTo(Disposition.Consumed));
        Assert.That(_pool.Outstanding, Is.EqualTo(1));
        _routing.ReleaseHeld();
        Assert.That(_pool.Outstanding, Is.EqualTo(1), "the app's reference keeps it alive");
        _app.ReleaseHeld();
        Assert.That(_pool.Outstanding, Is.Zero);
        Assert.That(_pool.DoubleReleases, Is.Zero);
    }

    [Test]
    public void AModuleThatThrows_DoesNotKeepANotificationFromTheOthers()
    {
        _session.Throw = true;

        Assert.That(Give(MessageTypes.SendFailed), Is.EqualTo(Disposition.Consumed));

        Assert.That(_journal.Select(e => e.Module), Is.EqualTo(new[] { "Routing", "Session", "App" }));
        Assert.That(_pool.Outstanding, Is.Zero);
    }

    [Test]
    public void AnUpCall_GoesToTheOwnerAbove_WhichMayHoldIt_WhileTheCallerKeepsItsReference()
    {
        _routing.Relabel = (20, 1500); // routing "unwraps" type 20 into the app's 1500 and delivers it up
        _app.HoldAll = true;

        Assert.That(Give(20), Is.EqualTo(Disposition.Consumed));

        Assert.That(_journal, Is.EqualTo(new[] { ("Routing", "Process", 20), ("App", "Process", 1500) }));
        Assert.That(_routing.LastDelivery, Is.EqualTo(Disposition.Hold));
        Assert.That(_pool.Outstanding, Is.EqualTo(1), "the app holds a reference of its own; the engine released its");
        _app.ReleaseHeld();
        Assert.That(_pool.Outstanding, Is.Zero);
        Assert.That(_pool.DoubleReleases, Is.Zero);
    }

    [Test]
    public void AnUpCall_PassesOverLayersThatDoNotOwnTheType()
    {
        _routing.Relabel = (20, MessageTypes.Data);

        Give(20);

        Assert.That(_journal, Is.EqualTo(new[] { ("Routing", "Process", 20), ("App", "Process", MessageTypes.Data) }));
        Assert.That(_routing.LastDelivery, Is.EqualTo(Disposition.Consumed));
    }

    [Test]
    public void AnUpCall_ToItselfOrDownwards_IsDroppedAndCounted()
    {
        _routing.Relabel = (20, 21); // its own type: delivering it would loop
        _session.Relabel = (250, 16); // a routing type: downwards

        Give(20);
        Give(250);

        Assert.That(_journal, Is.EqualTo(new[] { ("Routing", "Process", 20), ("Session", "Process", 250) }));
        Assert.That(_stack.MisdirectedDeliveries, Is.EqualTo(2));
        Assert.That(_routing.LastDelivery, Is.EqualTo(Disposition.Consumed));
        Assert.That(_session.LastDelivery, Is.EqualTo(Disposition.Consumed));
        Assert.That(_pool.Outstanding, Is.Zero);
    }

    [Test]
    public void AnUpCall_OfATypeNobodyOwns_IsDroppedAndCounted()
    {
        _routing.Relabel = (20, 5);

        Give(20);

        Assert.That(_journal, Has.Count.EqualTo(1));
        Assert.That(_stack.UnownedMessages, Is.EqualTo(1));
        Assert.That(_pool.Outstanding, Is.Zero);
    }

    [Test]
    public void AnUpCall_OfAnEngineType_IsNotANotification()
    {
        // A peer's carrier could hold any type: one in the engine's range must not reach the modules as an event.
        _routing.Relabel = (20, MessageTypes.BrokenUpstream);

        Give(20);

        Assert.That(_journal, Has.Count.EqualTo(1));
        Assert.That(_stack.UnownedMessages, Is.EqualTo(1));
    }

    [Test]
    public void AnUpCall_ToAModuleThatThrows_IsConsumed_AndLeaksNothing()
    {
        _routing.Relabel = (20, 1500);
        _app.Throw = true;

        Assert.That(Give(20), Is.EqualTo(Disposition.Consumed));

        Assert.That(_routing.LastDelivery, Is.EqualTo(Disposition.Consumed));
        Assert.That(_pool.Outstanding, Is.Zero);
    }

    [Test]
    public void AModuleInNoStack_CannotDeliverUp()
    {
        var loose = new RecordingModule("Loose", _journal, MessageTypeRange.Single(20)) { Relabel = (20, 21) };
        using var message = new Rented(_pool, 20);

        Assert.That(() => loose.Process(message.Message), Throws.InvalidOperationException.With.Message.Contains("in no protocol stack"));
    }

    // Plays the engine: one reference for the call, released after it unless the answer is Hold.
    private Disposition Give(int type)
    {
        var message = _pool.Rent(4);
        message.Type = type;
        var disposition = _stack.Process(message);
        if (disposition != Disposition.Hold)
            message.Release();
        return disposition;
    }

    private sealed class Rented(MessagePool pool, int type) : IDisposable
    {
        public Message Message { get; } = Rent(pool, type);

        public void Dispose() => Message.Release();

        private static Message Rent(MessagePool pool, int type)
        {
            var message = pool.Rent(0);
            message.Type = type;
            return message;
        }
    }
}
