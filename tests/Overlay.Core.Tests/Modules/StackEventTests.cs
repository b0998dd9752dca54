using System.Collections.Concurrent;
using NUnit.Framework;
using Overlay.Modules;

namespace Overlay.Core.Tests.Modules;

/// <summary>
/// On a real node, every engine event reaches every module of the stack — start and notifications bottom-up, stop
/// top-down — data reaches only its owner, a timer only the module that set it, and a module that holds every
/// notification until it stops leaves nothing behind.
/// </summary>
[Category("Integration")]
public class StackEventTests
{
    private static readonly int[] Broadcast =
    [
        MessageTypes.UpThroughput, MessageTypes.DownThroughput, MessageTypes.MeasurementResult, MessageTypes.SourceCompleted,
        MessageTypes.BrokenUpstream, MessageTypes.BrokenDownstream, MessageTypes.SendFailed,
    ];

    [Test, CancelAfter(90_000)]
    public async Task EngineEvents_ReachEveryModule_InLayerOrder()
    {
        await using var overlay = new TestOverlay();
        var journal = new ConcurrentQueue<(string Module, string Call, int Type)>();
        var bottom = new RecordingModule("Bottom", journal, new MessageTypeRange(16, 31)) { HoldAll = true };
        var middle = new RecordingModule("Middle", journal, new MessageTypeRange(32, 47)) { TimerAtStart = true };
        var top = new RecordingModule("Top", journal, MessageTypeRange.Single(MessageTypes.Data));
        var x = await overlay.AddAsync(new ProtocolStack(bottom, middle, top), o =>
        {
            o.MeasurementInterval = TimeSpan.FromMilliseconds(100);
            o.ConnectRetries = 0;
        });
        var echo = new RelayAlgorithm { Children = { x.Id } };
        var y = await overlay.AddAsync(echo);

        // Data both ways (Y echoes to X), a measurement, a source that completes.
        await x.InvokeAsync(() =>
        {
            for (var i = 0; i < 20; i++)
                top.SendTo(y.Id, MessageTypes.Data);
            middle.Measure(y.Id);
        });
        await x.DeploySourceAsync(7, new SourceOptions { MessageLimit = 5 });
        Assert.That(
            await Eventually.TrueAsync(() => Seen(journal, MessageTypes.UpThroughput, MessageTypes.DownThroughput, MessageTypes.MeasurementResult, MessageTypes.SourceCompleted), TimeSpan.FromSeconds(30)),
            Is.True,
            Describe(journal));

        var known = false;
        await x.InvokeAsync(() => known = bottom.Knows(y.Id) && middle.Knows(y.Id) && top.Knows(y.Id));
        Assert.That(known, Is.True, "every module learnt the peer that linked to the node");

        // Y ends abruptly: both of X's links to it break; then a send to it cannot connect.
        await y.TerminateAsync();
        Assert.That(await Eventually.TrueAsync(() => Seen(journal, MessageTypes.BrokenUpstream, MessageTypes.BrokenDownstream), TimeSpan.FromSeconds(30)), Is.True, Describe(journal));
        await x.InvokeAsync(() => top.SendTo(y.Id, MessageTypes.Data));
        Assert.That(await Eventually.TrueAsync(() => Seen(journal, MessageTypes.SendFailed), TimeSpan.FromSeconds(30)), Is.True, Describe(journal));
        Assert.That(bottom.HeldCount, Is.GreaterThan(0), "the bottom layer holds the notifications it got");

        await overlay.StopAllAsync();
        var entries = journal.ToArray();
        TestContext.Out.WriteLine(Describe(journal));

        Assert.That(entries.Where(e => e.Call == "OnStart").Select(e => e.Module), Is.EqualTo(new[] { "Bottom", "Middle", "Top" }), "start: bottom-up");
        Assert.That(entries.Where(e => e.Call == "OnStop").Select(e => e.Module), Is.EqualTo(new[] { "Top", "Middle", "Bottom" }), "stop: top-down");
        Assert.That(entries.Where(e => e.Call == "Timer").Select(e => e.Module), Is.EqualTo(new[] { "Middle" }), "a timer runs only its own module's code");

        // Notifications come in runs of three, one per layer, bottom-up, each run one event.
        var notifications = entries.Where(e => e.Call == "Process" && MessageTypes.IsEngineReserved(e.Type)).ToArray();
        Assert.That(notifications.Length % 3, Is.Zero, Describe(journal));
        for (var i = 0; i < notifications.Length; i += 3)
        {
            var run = notifications[i..(i + 3)];
            Assert.That(run.Select(e => e.Module), Is.EqualTo(new[] { "Bottom", "Middle", "Top" }), $"run {i / 3}");
            Assert.That(run.Select(e => e.Type).Distinct().Count(), Is.EqualTo(1), $"run {i / 3}");
        }

        Assert.That(Broadcast.Where(t => !notifications.Any(e => e.Type == t)), Is.Empty, "every kind of event was seen");
        var data = entries.Where(e => e.Type == MessageTypes.Data).ToArray();
        Assert.That(data.Select(e => e.Module).Distinct(), Is.EqualTo(new[] { "Top" }), "data only reaches its owner");
        Assert.That(data, Has.Length.EqualTo(20 + 5), "twenty echoed back by Y, five from the source");

        Assert.That(bottom.HeldCount, Is.Zero, "released on stop");
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
        Assert.That(overlay.Pool.DoubleReleases, Is.Zero);
    }

    private static bool Seen(ConcurrentQueue<(string Module, string Call, int Type)> journal, params int[] types) =>
        types.All(t => journal.Any(e => e.Module == "Top" && e.Type == t));

    private static string Describe(ConcurrentQueue<(string Module, string Call, int Type)> journal) =>
        string.Join(", ", journal.Select(e => $"{e.Module}.{e.Call}({MessageTypeName(e.Type)})"));

    private static string MessageTypeName(int type) =>
        MessageTypes.IsEngineReserved(type) ? "0x" + (type - MessageTypes.EngineReservedStart).ToString("X", System.Globalization.CultureInfo.InvariantCulture) : type.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
