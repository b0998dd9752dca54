using Overlay.Buffers;

namespace Overlay.Runtime;

/// <summary>
/// The world a node runs in: its clock, its scheduler, its message pool, its tickers and the registry of the nodes
/// that share its fate. Everything that would otherwise be process-wide belongs to a world, so two worlds in one
/// process share nothing: their nodes never treat each other as co-located, never share a ticker, pool or scheduler.
/// </summary>
/// <remarks>
/// A node that is given no world (<see cref="OverlayNodeOptions.Runtime"/> is null) runs in <see cref="Default"/>,
/// the live world: the thread pool and real time. Create a world of your own to isolate a group of nodes (a test, a
/// tenant), or to run them on another clock (<c>FakeTimeProvider</c>) or another scheduler.
/// </remarks>
public sealed class OverlayRuntime
{
    private readonly TimeProvider _timeProvider = TimeProvider.System;
    private readonly OverlayScheduler _scheduler = OverlayScheduler.ThreadPool;
    private readonly MessagePool _pool = new();

    /// <summary>The live world nodes run in unless they are given another: real time, the thread pool, <see cref="MessagePool.Shared"/>.</summary>
    public static OverlayRuntime Default { get; } = new() { Pool = MessagePool.Shared };

    /// <summary>The clock of every timer, delay and timestamp of this world's nodes (unless a node has its own).</summary>
    /// <remarks>Defaults to <see cref="TimeProvider.System"/>.</remarks>
    public TimeProvider TimeProvider
    {
        get => _timeProvider;
        init => _timeProvider = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Where this world's nodes run their loops and wake their I/O loops.</summary>
    /// <remarks>Defaults to <see cref="OverlayScheduler.ThreadPool"/>.</remarks>
    public OverlayScheduler Scheduler
    {
        get => _scheduler;
        init => _scheduler = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>The pool this world's nodes take messages from (unless a node has its own).</summary>
    /// <remarks>Defaults to a new pool of this world's own (<see cref="MessagePool.Shared"/> for <see cref="Default"/>).</remarks>
    public MessagePool Pool
    {
        get => _pool;
        init => _pool = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>How many nodes run in this world now: their loops started (just after <see cref="OverlayNode.StartAsync"/>) and have not stopped.</summary>
    public int RunningNodes => Nodes.Count;

    /// <summary>The nodes running in this world: they share its fate, so they exchange no keep-alives.</summary>
    internal LocalNodes Nodes { get; } = new();

    /// <summary>This world's shared tickers, one per clock and period.</summary>
    internal SharedTickers Tickers { get; } = new();
}
