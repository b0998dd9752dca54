using System.Collections.Concurrent;
using Overlay.Modules;

namespace Overlay.Core.Tests.Modules;

/// <summary>
/// A module that records every call it gets, in one journal shared by the modules of a stack (so the order between
/// layers shows), and can hold what it is given or deliver it up. Thread-safe to read from the test.
/// </summary>
internal sealed class RecordingModule : ProtocolModule
{
    private readonly ConcurrentQueue<Message> _held = new();

    public RecordingModule(string name, ConcurrentQueue<(string Module, string Call, int Type)> journal, params ReadOnlySpan<MessageTypeRange> types)
        : base(types)
    {
        Name = name;
        Journal = journal;
    }

    public override string Name { get; }

    public ConcurrentQueue<(string Module, string Call, int Type)> Journal { get; }

    /// <summary>Answer Hold to every message (and release them all on stop, or when the test says).</summary>
    public bool HoldAll { get; set; }

    /// <summary>Deliver every message of this type up instead of handling it (with its type changed to the value).</summary>
    public (int Type, int As)? Relabel { get; set; }

    /// <summary>What the last up-call answered.</summary>
    public Disposition? LastDelivery { get; private set; }

    /// <summary>Throw from Process, to see that the others still get an event.</summary>
    public bool Throw { get; set; }

    public int HeldCount => _held.Count;

    /// <summary>Schedule one timer from OnStart, whose firing is journalled as "Timer".</summary>
    public bool TimerAtStart { get; set; }

    /// <summary>Sends a message of <paramref name="type"/> (through the layers below). On the node's loop.</summary>
    public void SendTo(NodeId destination, int type)
    {
        var message = CreateMessage(type, 1, 100);
        Send(message, destination);
    }

    /// <summary>Whether this module's known hosts hold <paramref name="peer"/>. On the node's loop.</summary>
    public bool Knows(NodeId peer) => KnownHosts.Contains(peer);

    /// <summary>Asks the engine to measure the path to <paramref name="peer"/>. On the node's loop.</summary>
    public void Measure(NodeId peer) => MeasurePeer(peer);

    public override Disposition Process(Message message)
    {
        Journal.Enqueue((Name, "Process", message.Type));
        if (Throw)
            throw new InvalidOperationException("a module failing on purpose");
        if (Relabel is { } relabel && message.Type == relabel.Type)
        {
            message.Type = relabel.As;
            LastDelivery = DeliverUp(message);
            return Disposition.Consumed;
        }

        if (HoldAll)
        {
            _held.Enqueue(message);
            return Disposition.Hold;
        }

        return base.Process(message);
    }

    public void ReleaseHeld()
    {
        while (_held.TryDequeue(out var message))
            message.Release();
    }

    protected override void OnStart()
    {
        Journal.Enqueue((Name, "OnStart", 0));
        if (TimerAtStart)
            Schedule(TimeSpan.FromMilliseconds(10), Timeout.InfiniteTimeSpan, () => Journal.Enqueue((Name, "Timer", 0)));
    }

    protected override void OnStop()
    {
        Journal.Enqueue((Name, "OnStop", 0));
        ReleaseHeld();
    }
}
