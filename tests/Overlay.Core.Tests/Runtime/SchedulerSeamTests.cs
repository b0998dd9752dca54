using NUnit.Framework;
using Overlay.Core.Tests.Support;
using Overlay.Runtime;

namespace Overlay.Core.Tests.Runtime;

/// <summary>
/// The engine schedules its work through its world's <see cref="OverlayScheduler"/>: under a scheduler that runs
/// everything on one thread and allows no inline switching, every algorithm callback of every node runs on that
/// thread, though the sockets complete on the thread pool.
/// </summary>
[Category("Integration")]
public class SchedulerSeamTests
{
    [Test, CancelAfter(60_000)]
    public async Task AnOverlay_UnderASingleThreadScheduler_RunsEveryNodeLoopOnThatThread()
    {
        using var scheduler = new SingleThreadScheduler();
        var world = new OverlayRuntime { Scheduler = scheduler };
        var source = new ThreadRecordingRelay();
        var middle = new ThreadRecordingRelay();
        var sink = new ThreadRecordingRelay();
        await using var a = new OverlayNode(new OverlayNodeOptions { Runtime = world }, source);
        await using var b = new OverlayNode(new OverlayNodeOptions { Runtime = world }, middle);
        await using var c = new OverlayNode(new OverlayNodeOptions { Runtime = world }, sink);
        await a.StartAsync();
        await b.StartAsync();
        await c.StartAsync();
        source.Children.Add(b.Id);
        middle.Children.Add(c.Id);

        // More than a loop serves between yields (256), so a busy loop gives its turn up on the scheduler as well.
        const int count = 2_000;
        await a.DeploySourceAsync(1, new SourceOptions { PayloadLength = 64, MessageLimit = count });
        Assert.That(await Eventually.TrueAsync(() => sink.Delivered == count, TimeSpan.FromSeconds(40)), Is.True, $"c got {sink.Delivered} of {count}");

        TestContext.Out.WriteLine($"scheduled {scheduler.Scheduled}, yields {scheduler.Yields}");
        Assert.Multiple(() =>
        {
            foreach (var (name, algorithm) in new[] { ("a", source), ("b", middle), ("c", sink) })
            {
                Assert.That(algorithm.Threads.Keys, Is.EqualTo(new[] { scheduler.ThreadId }),
                    $"{name}'s algorithm ran only on the scheduler's thread: {string.Join(", ", algorithm.Threads)}");
            }

            Assert.That(a.InlineSwitchRuns + b.InlineSwitchRuns + c.InlineSwitchRuns, Is.Zero, "the scheduler allows no inline switching");
            Assert.That(scheduler.Scheduled, Is.GreaterThan(0), "loop starts and wake-ups went through the scheduler");
            Assert.That(scheduler.Fault, Is.Null);
        });

        await a.StopAsync();
        await b.StopAsync();
        await c.StopAsync();
        Assert.That(world.Pool.Outstanding, Is.Zero);
    }
}
