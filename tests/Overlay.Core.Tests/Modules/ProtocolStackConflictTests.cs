using System.Collections.Concurrent;
using NUnit.Framework;
using Overlay.Modules;

namespace Overlay.Core.Tests.Modules;

/// <summary>A stack refuses message types claimed twice, or claimed from the engine, naming both parties and the types.</summary>
public class ProtocolStackConflictTests
{
    private readonly ConcurrentQueue<(string, string, int)> _journal = new();

    [Test]
    public void OverlappingModules_AreRefused_NamingBothModulesAndTheSharedTypes()
    {
        var routing = new RecordingModule("Routing", _journal, new MessageTypeRange(16, 31));
        var session = new RecordingModule("Session", _journal, new MessageTypeRange(100, 120), new MessageTypeRange(28, 40));

        var error = Assert.Throws<ArgumentException>(() => _ = new ProtocolStack(routing, session))!;

        TestContext.Out.WriteLine(error.Message);
        Assert.That(error.Message, Does.Contain("'Routing' (layer 0) declares types 16..31"));
        Assert.That(error.Message, Does.Contain("'Session' (layer 1) declares 28..40"));
        Assert.That(error.Message, Does.Contain("both claim 28..31"));
        Assert.That(routing.Stack, Is.Null, "a refused stack takes no module");
        Assert.That(session.Stack, Is.Null);
    }

    [Test]
    public void EveryConflict_IsNamed_NotOnlyTheFirst()
    {
        var a = new RecordingModule("A", _journal, MessageTypeRange.Single(20));
        var b = new RecordingModule("B", _journal, new MessageTypeRange(10, 30));
        var c = new RecordingModule("C", _journal, new MessageTypeRange(30, 35));

        var error = Assert.Throws<ArgumentException>(() => _ = new ProtocolStack(a, b, c))!;

        Assert.That(error.Message, Does.Contain("'A' (layer 0) declares types 20 and module 'B' (layer 1) declares 10..30: both claim 20"));
        Assert.That(error.Message, Does.Contain("'B' (layer 1) declares types 10..30 and module 'C' (layer 2) declares 30..35: both claim 30"));
    }

    [Test]
    public void ModuleReachingIntoTheEngineRange_IsRefused_NamingTheModuleAndTheEngineTypes()
    {
        var greedy = new RecordingModule("Greedy", _journal, new MessageTypeRange(MessageTypes.EngineReservedStart - 2, MessageTypes.BrokenUpstream));
        var app = new RecordingModule("App", _journal, MessageTypeRange.Single(MessageTypes.Data));

        var error = Assert.Throws<ArgumentException>(() => _ = new ProtocolStack(app, greedy))!;

        TestContext.Out.WriteLine(error.Message);
        Assert.That(error.Message, Does.Contain("'Greedy' (layer 1)"));
        Assert.That(error.Message, Does.Contain("engine's reserved types (0x7F000000 and up"));
        Assert.That(error.Message, Does.Contain(": 0x7F000000..0x7F000100"));
    }

    [Test]
    public void OneModulesOwnRanges_MustNotOverlapEither()
    {
        var sloppy = new RecordingModule("Sloppy", _journal, new MessageTypeRange(16, 31), new MessageTypeRange(31, 32));

        var error = Assert.Throws<ArgumentException>(() => _ = new ProtocolStack(sloppy))!;

        Assert.That(error.Message, Does.Contain("'Sloppy' (layer 0) declares overlapping ranges 16..31 and 31..32: both hold 31"));
    }

    [Test]
    public void DefaultRange_IsRefused()
    {
        var module = new RecordingModule("Empty", _journal, default(MessageTypeRange));

        var error = Assert.Throws<ArgumentException>(() => _ = new ProtocolStack(module))!;

        Assert.That(error.Message, Does.Contain("'Empty' (layer 0) declares an empty range"));
    }

    [Test]
    public void AdjacentRanges_AreAccepted()
    {
        var a = new RecordingModule("A", _journal, new MessageTypeRange(16, 31));
        var b = new RecordingModule("B", _journal, new MessageTypeRange(32, 47));
        var c = new RecordingModule("C", _journal, new MessageTypeRange(1, 15), new MessageTypeRange(48, MessageTypes.EngineReservedStart - 1));

        var stack = new ProtocolStack(a, b, c);

        Assert.That(stack.Modules, Is.EqualTo(new[] { a, b, c }));
        Assert.That((a.Layer, b.Layer, c.Layer), Is.EqualTo((0, 1, 2)));
        Assert.That(stack.OwnerOf(31), Is.SameAs(a));
        Assert.That(stack.OwnerOf(32), Is.SameAs(b));
        Assert.That(stack.OwnerOf(MessageTypes.EngineReservedStart - 1), Is.SameAs(c));
        Assert.That(stack.OwnerOf(MessageTypes.EngineReservedStart), Is.Null);
    }

    [Test]
    public void AModule_IsOneLayerOfOneStack()
    {
        var module = new RecordingModule("Once", _journal, MessageTypeRange.Single(16));
        Assert.That(() => new ProtocolStack(module, module), Throws.ArgumentException.With.Message.Contains("given twice (layers 0 and 1)"));

        _ = new ProtocolStack(module);
        Assert.That(() => new ProtocolStack(module), Throws.ArgumentException.With.Message.Contains("already a layer of another protocol stack"));
    }

    [Test]
    public void EmptyStack_AndBadRanges_AreRefused()
    {
        Assert.That(() => new ProtocolStack(), Throws.ArgumentException.With.Message.Contains("at least one module"));
        Assert.That(() => new MessageTypeRange(0, 5), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => new MessageTypeRange(10, 9), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => MessageTypeRange.FromCount(int.MaxValue, 2), Throws.InstanceOf<OverflowException>());
        Assert.That(MessageTypeRange.FromCount(16, 16), Is.EqualTo(new MessageTypeRange(16, 31)));
    }

    [Test]
    public void AnAlgorithmModule_WrapsOnlyAPlainAlgorithm()
    {
        var module = new RecordingModule("Module", _journal, MessageTypeRange.Single(16));
        Assert.That(() => new AlgorithmModule(module, MessageTypeRange.Single(17)), Throws.ArgumentException.With.Message.Contains("add it to the stack directly"));
        var relay = new AlgorithmModule(new RelayAlgorithm(), MessageTypeRange.Single(MessageTypes.Data));
        Assert.That(relay.Name, Is.EqualTo(nameof(RelayAlgorithm)));
    }
}
