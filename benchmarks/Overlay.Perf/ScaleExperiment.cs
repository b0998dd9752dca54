using System.Diagnostics;
using System.Globalization;
using System.Net;
using Overlay.Buffers;

namespace Overlay.Perf;

/// <summary>
/// 1,000 virtual nodes in one process, linked in a seeded random graph of degree 4 (the union of two random
/// Hamiltonian cycles), first idle, then under a light flooding gossip load. Measures start time, memory, CPU at
/// idle and under load, and a clean stop. Run once with the engine's default failure-detection and measurement
/// intervals and once with relaxed ones, each in a fresh child process.
/// </summary>
internal static class ScaleExperiment
{
    private static readonly string[] Profiles = ["defaults", "relaxed"];

    // How long a batch of nodes may take to open its links before the experiment goes on with what connected.
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(string[] args, TextWriter console)
    {
        var settings = ScaleSettings.Parse(args);
        if (ExperimentArguments.Value(args, "--child") is { } profile)
            return await MeasureInChildAsync(profile, settings);

        var report = new ExperimentReport("scale", console);
        var output = report.Out;
        var defaults = new OverlayNodeOptions();
        output.WriteLine($"Scale: {settings.Nodes:N0} virtual nodes in one process, seeded random graph of degree 4 (two random Hamiltonian cycles, seed {settings.Seed})");
        output.WriteLine($"  date            {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} logical cores, machine shared with other work");
        output.WriteLine($"  start           nodes started one after another; then each greets its neighbours (opens its links), {(settings.ConnectBatch <= 0 ? "all nodes at once" : $"{settings.ConnectBatch} nodes at a time")}; connected when every greeting arrived");
        output.WriteLine($"  idle            {settings.IdleSeconds:0.#} s window after {settings.SettleSeconds:0.#} s settling: only keep-alives, heartbeats and link measurements");
        output.WriteLine($"  load            {settings.RumorsPerSecond:0.#} rumours/s of {settings.RumorPayload} B started at random nodes, flooded (first sight: to every neighbour but the sender), {settings.LoadSeconds:0.#} s window");
        output.WriteLine($"  profiles        defaults: FailureTimeout {defaults.FailureTimeout.TotalSeconds:0.#} s (keep-alive every {defaults.FailureTimeout.TotalSeconds / 5:0.#} s), MeasurementInterval {defaults.MeasurementInterval.TotalSeconds:0.#} s;");
        output.WriteLine($"                  relaxed:  FailureTimeout {settings.RelaxedFailureTimeout.TotalSeconds:0.#} s (keep-alive every {settings.RelaxedFailureTimeout.TotalSeconds / 5:0.#} s), MeasurementInterval {settings.RelaxedMeasurementInterval.TotalSeconds:0.#} s");
        output.WriteLine("  CPU             process CPU time / wall time: 100 % = one core busy; % of machine = that / logical cores");
        output.WriteLine("  memory          working set (resident) and managed heap after a full GC; each profile in its own child process");
        output.WriteLine();

        var rows = new List<string[]>();
        foreach (var name in Profiles)
        {
            rows.Add(await SelfProcess.RunAsync(["scale", "--child", name, .. args[1..]]));
            console.WriteLine($"  {name} done");
        }

        output.WriteLine();
        string[] headers =
        [
            "profile", "nodes", "links", "links up", "start s", "connect s", "WS MB idle", "heap MB idle", "idle no links % core", "idle CPU % core", "idle CPU % machine",
            "idle reports/s", "WS MB load", "heap MB load", "load CPU % core", "rumour msg/s", "coverage", "stop s", "outstanding", "sockets left", "link failures (connect/idle/load)",
        ];
        TextTable.Write(output, headers, rows.Select(Cells).ToList());
        output.WriteLine();
        output.WriteLine("Targets: start < 10 s (start + connect), < 1 GB, idle CPU < 2 %. links = TCP links (one per direction of each edge);");
        output.WriteLine($"links up = greetings that arrived (one per link) within {ConnectTimeout.TotalSeconds:0} s.");
        output.WriteLine("idle reports/s = messages the algorithms were given per second while idle: the engine's Up/DownThroughput reports,");
        output.WriteLine("  one per link end per MeasurementInterval (keep-alives, heartbeats and pings stay inside the engine).");
        output.WriteLine("rumour msg/s = rumour copies received per second, repeats included; coverage = share of nodes each rumour reached.");
        output.WriteLine("sockets left = sockets open 1 s after every node stopped minus before the first started.");
        output.WriteLine("link failures = OnBrokenUpstream + OnBrokenDownstream + OnSendFailed calls (a link that breaks is seen at both ends).");
        report.AppendCsv(
            "profile,nodes,links,start_seconds,connect_seconds,working_set_bytes_started,heap_bytes_started,working_set_bytes_idle,heap_bytes_idle,idle_cores_without_links,idle_cores,idle_algorithm_messages_per_second,working_set_bytes_load,heap_bytes_load,load_cores,load_rumor_messages_per_second,coverage,stop_seconds,pool_outstanding_after_stop,sockets_left_after_stop,link_failures_connecting,link_failures_idle,link_failures_load,greetings_arrived",
            rows.Select(r => string.Join(',', r)));
        report.SaveText();
        return rows.All(r => r[18] == "0") ? 0 : 1;
    }

    private static IReadOnlyList<string> Cells(string[] r)
    {
        double D(int i) => double.Parse(r[i], CultureInfo.InvariantCulture);
        var cores = Environment.ProcessorCount;
        return
        [
            r[0], r[1], r[2], r[23], D(3).ToString("N2"), D(4).ToString("N2"), (D(7) / 1e6).ToString("N0"), (D(8) / 1e6).ToString("N0"),
            (D(9) * 100).ToString("N1"), (D(10) * 100).ToString("N1"), (D(10) * 100 / cores).ToString("N1"), D(11).ToString("N0"),
            (D(12) / 1e6).ToString("N0"), (D(13) / 1e6).ToString("N0"), (D(14) * 100).ToString("N1"), D(15).ToString("N0"),
            D(16).ToString("P1"), D(17).ToString("N2"), r[18], r[19], $"{r[20]}/{r[21]}/{r[22]}",
        ];
    }

    private static async Task<int> MeasureInChildAsync(string profile, ScaleSettings settings)
    {
        var progress = Console.Error;
        var relaxed = profile switch
        {
            "defaults" => false,
            "relaxed" => true,
            _ => throw new FormatException("The profile is defaults or relaxed."),
        };
        var neighbors = RandomGraph(settings.Nodes, settings.Seed);
        var links = neighbors.Sum(n => n.Count);
        var pool = new MessagePool();
        var peers = new GossipPeer[settings.Nodes];
        var nodes = new List<OverlayNode>(settings.Nodes);
        var before = ProcessSnapshot.Take(collect: true);

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < settings.Nodes; i++)
        {
            var options = new OverlayNodeOptions { BindAddress = IPAddress.Loopback, Pool = pool };
            if (relaxed)
            {
                // What a large emulation would set (defaults 10 s / 10 s): keep-alives every 2 s, link reports every 10 s.
                options.FailureTimeout = settings.RelaxedFailureTimeout;
                options.MeasurementInterval = settings.RelaxedMeasurementInterval;
            }

            peers[i] = new GossipPeer();
            var node = new OverlayNode(options, peers[i]);
            nodes.Add(node);
            await node.StartAsync();
        }

        var startSeconds = clock.Elapsed.TotalSeconds;

        // Idle with no links yet: what the nodes cost by themselves (loops, timers), before any link's keep-alives.
        await Task.Delay(TimeSpan.FromSeconds(settings.SettleSeconds));
        var bare0 = ProcessSnapshot.Take(collect: false);
        await Task.Delay(TimeSpan.FromSeconds(settings.IdleSeconds));
        var bare1 = ProcessSnapshot.Take(collect: false);
        progress.WriteLine($"  {profile}: idle without links {bare1.CoresBusySince(bare0):P1} of one core");

        for (var i = 0; i < settings.Nodes; i++)
            peers[i].Neighbors = neighbors[i].Select(j => nodes[j].Id).ToArray();
        clock.Restart();
        var greetingsArrived = await ConnectAsync(nodes, peers, settings.ConnectBatch);
        var connectSeconds = clock.Elapsed.TotalSeconds;
        var started = ProcessSnapshot.Take(collect: true);
        var failuresConnecting = peers.Sum(p => p.LinkFailures);
        progress.WriteLine($"  {profile}: {settings.Nodes} nodes started in {startSeconds:N2} s, {greetingsArrived} of {links} links connected in {connectSeconds:N2} s ({failuresConnecting} link failures), working set {started.WorkingSet / 1e6:N0} MB");

        await Task.Delay(TimeSpan.FromSeconds(settings.SettleSeconds));
        var received0 = peers.Sum(p => p.Received);
        var idle0 = ProcessSnapshot.Take(collect: false);
        await Task.Delay(TimeSpan.FromSeconds(settings.IdleSeconds));
        var idle1 = ProcessSnapshot.Take(collect: false);
        var idleMessagesPerSecond = (peers.Sum(p => p.Received) - received0) / idle1.SecondsSince(idle0);
        var idleMemory = ProcessSnapshot.Take(collect: true);
        var failuresIdle = peers.Sum(p => p.LinkFailures) - failuresConnecting;
        progress.WriteLine($"  {profile}: idle {idle1.CoresBusySince(idle0):P1} of one core, {failuresIdle} link failures");

        var random = new Random(settings.Seed);
        var rumorsReceived0 = peers.Sum(p => p.RumorsReceived);
        var load0 = ProcessSnapshot.Take(collect: false);
        var rumors = await RunLoadAsync(nodes, peers, settings, random);
        var load1 = ProcessSnapshot.Take(collect: false);
        var loadMessagesPerSecond = (peers.Sum(p => p.RumorsReceived) - rumorsReceived0) / load1.SecondsSince(load0);
        var loadMemory = ProcessSnapshot.Take(collect: true);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var coverage = (double)peers.Sum(p => p.RumorsFirstSeen) / (rumors * (double)settings.Nodes);
        var failuresLoaded = peers.Sum(p => p.LinkFailures) - failuresIdle - failuresConnecting;
        progress.WriteLine($"  {profile}: load {load1.CoresBusySince(load0):P1} of one core, {loadMessagesPerSecond:N0} msg/s, coverage {coverage:P1}, {failuresLoaded} link failures");

        clock.Restart();
        await Task.WhenAll(nodes.Select(n => n.StopAsync()));
        var stopSeconds = clock.Elapsed.TotalSeconds;
        var outstanding = pool.Outstanding;
        nodes.Clear();
        // A moment for socket handles that the runtime closes after the awaited stop.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var stopped = ProcessSnapshot.Take(collect: true);
        progress.WriteLine($"  {profile}: stopped in {stopSeconds:N2} s, {outstanding} pooled messages outstanding, {stopped.OpenSockets - before.OpenSockets} sockets left open");

        SelfProcess.WriteRow(
        [
            profile,
            I(settings.Nodes), I(links), ExperimentReport.Csv(startSeconds), ExperimentReport.Csv(connectSeconds),
            I(started.WorkingSet), I(started.ManagedHeap), I(idleMemory.WorkingSet), I(idleMemory.ManagedHeap),
            ExperimentReport.Csv(bare1.CoresBusySince(bare0)), ExperimentReport.Csv(idle1.CoresBusySince(idle0)), ExperimentReport.Csv(idleMessagesPerSecond),
            I(loadMemory.WorkingSet), I(loadMemory.ManagedHeap), ExperimentReport.Csv(load1.CoresBusySince(load0)),
            ExperimentReport.Csv(loadMessagesPerSecond), ExperimentReport.Csv(coverage), ExperimentReport.Csv(stopSeconds),
            I(outstanding), I(stopped.OpenSockets - before.OpenSockets), I(failuresConnecting), I(failuresIdle), I(failuresLoaded), I(greetingsArrived),
        ]);
        return outstanding == 0 ? 0 : 1;

        static string I(long value) => value.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Lets every node greet its neighbours, <paramref name="batch"/> nodes at a time (each batch until its greetings
    /// arrived or <see cref="ConnectTimeout"/> passed), which opens all links: a link opens on its first message.
    /// </summary>
    /// <returns>Greetings that arrived; fewer than the links when links broke or could not connect.</returns>
    private static async Task<long> ConnectAsync(List<OverlayNode> nodes, GossipPeer[] peers, int batch)
    {
        var size = batch <= 0 ? nodes.Count : batch;
        long greeted = 0;
        for (var first = 0; first < nodes.Count; first += size)
        {
            var last = Math.Min(first + size, nodes.Count);
            var greetings = new List<Task>();
            for (var i = first; i < last; i++)
            {
                greetings.Add(nodes[i].InvokeAsync(peers[i].Greet));
                greeted += peers[i].Neighbors.Length;
            }

            await Task.WhenAll(greetings);
            var expected = greeted;
            var clock = Stopwatch.StartNew();
            while (peers.Sum(p => p.Hellos) < expected && clock.Elapsed < ConnectTimeout)
                await Task.Delay(10);
        }

        return peers.Sum(p => p.Hellos);
    }

    /// <summary>Starts rumours at random nodes at the configured rate for the load window; returns how many.</summary>
    private static async Task<long> RunLoadAsync(List<OverlayNode> nodes, GossipPeer[] peers, ScaleSettings settings, Random random)
    {
        var interval = TimeSpan.FromSeconds(1 / settings.RumorsPerSecond);
        var clock = Stopwatch.StartNew();
        var end = TimeSpan.FromSeconds(settings.LoadSeconds);
        long rumors = 0;
        while (clock.Elapsed < end)
        {
            var at = random.Next(nodes.Count);
            var id = rumors++;
            await nodes[at].InvokeAsync(() => peers[at].StartRumor(id, settings.RumorPayload));
            var next = interval * rumors;
            if (next > clock.Elapsed)
                await Task.Delay(next - clock.Elapsed);
        }

        return rumors;
    }

    /// <summary>Neighbour sets of a graph made of two random Hamiltonian cycles: degree 4 but for rare shared edges.</summary>
    private static List<HashSet<int>> RandomGraph(int size, int seed)
    {
        var random = new Random(seed);
        var neighbors = Enumerable.Range(0, size).Select(_ => new HashSet<int>()).ToList();
        for (var cycle = 0; cycle < 2; cycle++)
        {
            var order = Enumerable.Range(0, size).ToArray();
            random.Shuffle(order);
            for (var i = 0; i < size; i++)
            {
                var (a, b) = (order[i], order[(i + 1) % size]);
                neighbors[a].Add(b);
                neighbors[b].Add(a);
            }
        }

        return neighbors;
    }
}
