using NUnit.Framework;
using Overlay.Buffers;
using Overlay.Runtime;

namespace Overlay.Core.Tests.Runtime;

/// <summary>
/// Two worlds in one process share nothing: a node of one treats a node of the other as a stranger (keep-alives and
/// silence time-outs, not the co-located shortcut), each world's pool counts only its own messages, each runs its own
/// tickers, and stopping one world's nodes leaves the other's running.
/// </summary>
[Category("Integration")]
public class WorldIsolationTests
{
    [Test, CancelAfter(60_000)]
    public async Task TwoWorlds_InOneProcess_ShareNothing()
    {
        var worldA = new OverlayRuntime();
        var worldB = new OverlayRuntime();
        var relayA1 = new ThreadRecordingRelay();
        var relayA2 = new ThreadRecordingRelay();
        var relayB1 = new ThreadRecordingRelay();
        await using var a1 = await StartAsync(worldA, relayA1);
        await using var a2 = await StartAsync(worldA, relayA2);
        await using var b1 = await StartAsync(worldB, relayB1);

        // A node joins its world's registry when its loop starts, just after StartAsync returns.
        Assert.That(await Eventually.TrueAsync(() => worldA.RunningNodes == 2 && worldB.RunningNodes == 1, TimeSpan.FromSeconds(20)), Is.True,
            $"running: A {worldA.RunningNodes}, B {worldB.RunningNodes}");
        Assert.Multiple(() =>
        {
            Assert.That(a1.Runtime, Is.SameAs(worldA));
            Assert.That(a1.Pool, Is.SameAs(worldA.Pool), "a node takes its world's pool");
            Assert.That(a1.TimeProvider, Is.SameAs(worldA.TimeProvider), "and its world's clock");
            Assert.That(worldA.Pool, Is.Not.SameAs(worldB.Pool).And.Not.SameAs(MessagePool.Shared));
            Assert.That(worldA.Tickers, Is.Not.SameAs(worldB.Tickers));
            Assert.That(worldB.Tickers.Count, Is.GreaterThan(0), "world B runs its own tickers");
        });

        // Traffic inside world A is counted in A's pool only.
        await a1.InvokeAsync(() =>
        {
            for (var i = 0; i < 20; i++)
                relayA1.SendOne(a2.Id);
        });
        Assert.That(await Eventually.TrueAsync(() => relayA2.Delivered == 20, TimeSpan.FromSeconds(20)), Is.True, "a2 got a1's messages");
        Assert.That(worldA.Pool.TotalRented, Is.GreaterThanOrEqualTo(40), "sent and received in world A");
        Assert.That(worldB.Pool.TotalRented, Is.Zero, "world B's pool saw none of world A's traffic");

        // A link across worlds: a1 judges b1 by its silence (b1 is not co-located), but never a2.
        await a1.InvokeAsync(() => relayA1.SendOne(b1.Id));
        Assert.That(await Eventually.TrueAsync(() => relayB1.Delivered == 1, TimeSpan.FromSeconds(20)), Is.True, "b1 got a1's message");
        Assert.That(worldB.Pool.TotalRented, Is.GreaterThanOrEqualTo(1), "b1 received into its own world's pool");
        Assert.That(await Eventually.TrueAsync(() => a1.PeersJudged == 1 && b1.PeersJudged == 1, TimeSpan.FromSeconds(20)), Is.True,
            $"a1 and b1 judge each other as peers in another world (a1 judges {a1.PeersJudged}, b1 {b1.PeersJudged})");
        Assert.That(a2.PeersJudged, Is.Zero, "a2 shares a1's world, so a1 is not judged");

        // Stopping world A's nodes leaves world B's running, with its tickers.
        await a1.StopAsync();
        await a2.StopAsync();
        Assert.Multiple(() =>
        {
            Assert.That(worldA.RunningNodes, Is.Zero);
            Assert.That(worldA.Tickers.Count, Is.Zero, "world A's tickers stopped with its last node");
            Assert.That(worldA.Pool.Outstanding, Is.Zero);
            Assert.That(worldB.RunningNodes, Is.EqualTo(1));
            Assert.That(worldB.Tickers.Count, Is.GreaterThan(0), "world B's tickers run on");
            Assert.That(b1.IsRunning, Is.True);
        });

        // b1 still works: a new node of its world reaches it, and it forgets the departed stranger.
        var relayB2 = new ThreadRecordingRelay();
        await using var b2 = await StartAsync(worldB, relayB2);
        await b2.InvokeAsync(() => relayB2.SendOne(b1.Id));
        Assert.That(await Eventually.TrueAsync(() => relayB1.Delivered == 2, TimeSpan.FromSeconds(20)), Is.True, "b1 got b2's message");
        Assert.That(await Eventually.TrueAsync(() => b1.PeersJudged == 0, TimeSpan.FromSeconds(20)), Is.True,
            "b1 judges nobody: a1 is gone and b2 shares its world");
        await b1.StopAsync();
        await b2.StopAsync();
        Assert.That(worldB.Pool.Outstanding, Is.Zero);
        Assert.That(worldB.RunningNodes, Is.Zero);
    }

    [Test]
    public void NodeOptions_WinOverTheWorld_ForThatNodeOnly()
    {
        var world = new OverlayRuntime();
        var pool = new MessagePool();
        var clock = new ManualClockForOptions();
        var node = new OverlayNode(new OverlayNodeOptions { Runtime = world, Pool = pool, TimeProvider = clock }, new RelayAlgorithm());
        var plain = new OverlayNode(new OverlayNodeOptions(), new RelayAlgorithm());
        Assert.Multiple(() =>
        {
            Assert.That(node.Runtime, Is.SameAs(world));
            Assert.That(node.Pool, Is.SameAs(pool));
            Assert.That(node.TimeProvider, Is.SameAs(clock));
            Assert.That(plain.Runtime, Is.SameAs(OverlayRuntime.Default), "a node given no world runs in the default one");
            Assert.That(plain.Pool, Is.SameAs(MessagePool.Shared));
            Assert.That(plain.TimeProvider, Is.SameAs(TimeProvider.System));
        });
    }

    private static async Task<OverlayNode> StartAsync(OverlayRuntime world, Algorithm algorithm)
    {
        var node = new OverlayNode(new OverlayNodeOptions { Runtime = world }, algorithm);
        await node.StartAsync();
        return node;
    }

    private sealed class ManualClockForOptions : TimeProvider;
}
