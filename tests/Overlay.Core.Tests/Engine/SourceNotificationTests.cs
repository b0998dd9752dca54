using System.Collections.Concurrent;
using NUnit.Framework;

namespace Overlay.Core.Tests.Engine;

/// <summary>A source that ends normally says so (SourceCompleted); only one cut short is a broken source.</summary>
public class SourceNotificationTests
{
    [Test, CancelAfter(30_000)]
    public async Task SourceWithMessageLimit_Completes_NotBroken()
    {
        await using var overlay = new TestOverlay();
        var recorder = new SourceRecorder();
        var node = await overlay.AddAsync(recorder);
        await node.DeploySourceAsync(4, new SourceOptions { PayloadLength = 100, MessageLimit = 50 });
        Assert.That(await Eventually.TrueAsync(() => recorder.Events.Count > 0, TimeSpan.FromSeconds(10)), Is.True, "a notification");
        await node.InvokeAsync(() => { }); // anything still queued on the loop has run
        Assert.That(recorder.Events, Is.EqualTo(new[] { ("completed", 4) }));
        Assert.That(recorder.DataMessages, Is.EqualTo(50));
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(30_000)]
    public async Task TerminatedSource_IsBroken_NotCompleted()
    {
        await using var overlay = new TestOverlay();
        var recorder = new SourceRecorder();
        var node = await overlay.AddAsync(recorder);
        await node.DeploySourceAsync(5, new SourceOptions { PayloadLength = 100, MessageLimit = long.MaxValue });
        Assert.That(await Eventually.TrueAsync(() => Volatile.Read(ref recorder.DataMessages) > 10, TimeSpan.FromSeconds(10)), Is.True, "the source runs");
        await node.TerminateSourceAsync(5);
        await node.InvokeAsync(() => { });
        Assert.That(recorder.Events, Is.EqualTo(new[] { ("broken", 5) }));
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    private sealed class SourceRecorder : Algorithm
    {
        public int DataMessages;

        public ConcurrentQueue<(string Kind, int Application)> Events { get; } = new();

        public override Disposition Process(Message message)
        {
            if (message.Type == MessageTypes.Data)
                Interlocked.Increment(ref DataMessages);
            return base.Process(message);
        }

        protected override void OnSourceCompleted(int applicationId) => Events.Enqueue(("completed", applicationId));

        protected override void OnBrokenSource(int applicationId) => Events.Enqueue(("broken", applicationId));
    }
}
