using System.CommandLine;
using System.Diagnostics;
using Overlay;
using Overlay.Buffers;
using Overlay.Demo;

// A small multicast tree on this machine: A is the source, every node relays to its children.
//
//        A
//      /   \
//     B     C
//    / \     \
//   D   E     F
var secondsOption = new Option<int>("--seconds")
{
    Description = "How long the source sends, in seconds; the table is printed once a second.",
    DefaultValueFactory = _ => 10,
}.Require(s => s >= 1, "--seconds is at least 1.");
var root = new RootCommand("Overlay demo: a six-node multicast tree on 127.0.0.1 with live per-link throughput.") { secondsOption };
root.SetAction((parseResult, _) => RunAsync(parseResult.GetValue(secondsOption)));
return await root.Parse(args).InvokeAsync();

static async Task<int> RunAsync(int seconds)
{
    string[] names = ["A", "B", "C", "D", "E", "F"];
    (int Parent, int Child)[] edges = [(0, 1), (0, 2), (1, 3), (1, 4), (2, 5)];

    var pool = new MessagePool();
    var relays = names.Select(_ => new TreeRelay()).ToArray();
    var nodes = new List<OverlayNode>();
    foreach (var relay in relays)
    {
        var node = new OverlayNode(new OverlayNodeOptions { Pool = pool, BufferCapacity = 10 }, relay);
        await node.StartAsync();
        nodes.Add(node);
    }

    var nameOf = nodes.Select((n, i) => (n.Id, names[i])).ToDictionary(p => p.Id, p => p.Item2);
    foreach (var (parent, child) in edges)
        relays[parent].Children.Add(nodes[child].Id);

    Console.WriteLine($"Overlay demo: {nodes.Count} nodes on 127.0.0.1, source at A sending 5 KB messages back-to-back.");
    foreach (var (parent, child) in edges)
        Console.WriteLine($"  {names[parent]} {nodes[parent].Id} -> {names[child]} {nodes[child].Id}");
    await nodes[0].DeploySourceAsync(applicationId: 1, new SourceOptions { PayloadLength = 5 * 1024 });

    var previous = new Dictionary<string, long>();
    var clock = Stopwatch.StartNew();
    var lastTick = TimeSpan.Zero;
    for (var second = 1; second <= seconds; second++)
    {
        await Task.Delay(1000);
        var now = clock.Elapsed;
        var interval = (now - lastTick).TotalSeconds;
        lastTick = now;
        Console.WriteLine();
        Console.WriteLine($"t = {second,2} s   link      MB/s     msg/s   buffered");
        foreach (var (parent, child) in edges)
        {
            var stats = nodes[parent].GetStatistics().Find(nodes[child].Id, LinkDirection.Downstream);
            var key = $"{names[parent]}->{names[child]}";
            var bytes = stats?.Bytes ?? 0;
            var messages = stats?.Messages ?? 0;
            previous.TryGetValue(key, out var lastBytes);
            previous.TryGetValue(key + "#", out var lastMessages);
            previous[key] = bytes;
            previous[key + "#"] = messages;
            Console.WriteLine(
                $"           {key,-6} {(bytes - lastBytes) / interval / 1e6,8:F1} {(messages - lastMessages) / interval,9:F0} {stats?.BufferedMessages ?? 0,6}/{stats?.BufferCapacity ?? 0}");
        }
    }

    foreach (var node in nodes)
        await node.StopAsync();
    Console.WriteLine();
    Console.WriteLine($"Stopped all nodes; messages still outside the pool: {pool.Outstanding}.");
    return pool.Outstanding == 0 ? 0 : 1;
}
