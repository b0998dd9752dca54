using System.CommandLine;
using Overlay;
using Overlay.Observer.Client;
using Overlay.Observer.ConsoleSample;

// The paper's Fig. 6 workflow, driven by a person: an observer and the seven-node topology on this machine,
// a live per-link table, and typed commands (try "bw D up 30k", then "kill B").
// Usage: dotnet run --project samples/Overlay.Observer.Console [-- --seconds N --commands "bw D up 30k;kill B"]; --help for all.
var secondsOption = new Option<int>("--seconds")
{
    Description = "Stop after this many seconds and take no typed commands (0: run until 'quit').",
    DefaultValueFactory = _ => 0,
}.Require(s => s >= 0, "--seconds is not negative.");
var commandsOption = new Option<string?>("--commands")
{
    Description = "Commands to run instead of typing them, separated by ';', e.g. \"bw D up 30k;kill B\": the first "
        + "--command-interval after the start, then one every --command-interval.",
};
var intervalOption = new Option<double>("--command-interval")
{
    Description = "Seconds before the first scripted command and between scripted commands.",
    DefaultValueFactory = _ => 5,
}.Require(s => s > 0 && double.IsFinite(s), "--command-interval is a positive number of seconds.");
var root = new RootCommand(
    "An observer and the paper's seven-node topology on this machine, a live per-link table, and typed commands: "
    + "bw D up 30k, link E F 15k, kill B, deploy A 2, stop A 1, custom C 1 2, quit.")
{
    secondsOption, commandsOption, intervalOption,
};
root.SetAction((parseResult, _) => RunAsync(
    parseResult.GetValue(secondsOption),
    (parseResult.GetValue(commandsOption) ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
    TimeSpan.FromSeconds(parseResult.GetValue(intervalOption))));
return await root.Parse(args).InvokeAsync();

static async Task<int> RunAsync(int seconds, string[] script, TimeSpan commandInterval)
{
    var scripted = new Queue<string>(script);
    var traceLog = Path.Combine(Path.GetTempPath(), "overlay-observer-traces.log");
    await using var observer = new OverlayObserver(new ObserverOptions { TraceLogPath = traceLog });
    await observer.StartAsync();

    string[] names = ["A", "B", "C", "D", "E", "F", "G"];
    (string From, string To)[] edges = [("A", "B"), ("A", "C"), ("B", "D"), ("B", "F"), ("C", "D"), ("C", "G"), ("D", "E"), ("E", "F"), ("E", "G")];
    var relays = names.ToDictionary(n => n, _ => new FanOutRelay());
    var nodes = new Dictionary<string, OverlayNode>();
    foreach (var name in names)
    {
        var options = new OverlayNodeOptions { ObserverEndPoint = observer.EndPoint, BufferCapacity = 5, SocketBufferSize = 8 * 1024 };
        if (name == "A")
            options.TotalBandwidth = 400_000;
        nodes[name] = new OverlayNode(options, relays[name]);
        await nodes[name].StartAsync();
    }

    var ids = nodes.ToDictionary(n => n.Key, n => n.Value.Id);
    var nameOf = ids.ToDictionary(p => p.Value, p => p.Key);
    foreach (var (from, to) in edges)
        await nodes[from].InvokeAsync(() => relays[from].Children.Add(ids[to]));

    var commands = new CommandParser(observer, ids);
    Console.WriteLine($"Observer on {observer.EndPoint}; traces go to {traceLog}.");
    Console.WriteLine(await commands.RunAsync("deploy A 1"));

    var input = seconds > 0 ? null : Task.Run(() => Console.In.ReadLine());
    var started = DateTime.UtcNow;
    var nextScripted = started + commandInterval;
    var lastMessage = string.Empty;
    while (seconds == 0 || DateTime.UtcNow - started < TimeSpan.FromSeconds(seconds))
    {
        await Task.Delay(1000);
        if (scripted.Count > 0 && DateTime.UtcNow >= nextScripted)
        {
            lastMessage = await commands.RunAsync(scripted.Dequeue());
            nextScripted = DateTime.UtcNow + commandInterval;
        }

        if (input is { IsCompleted: true })
        {
            var line = await input;
            if (line is null or "quit" or "exit")
                break;
            lastMessage = await commands.RunAsync(line);
            input = Task.Run(() => Console.In.ReadLine());
        }

        Render(observer, nameOf, edges, lastMessage);
    }

    foreach (var node in nodes.Values)
        await node.StopAsync();
    return 0;
}

static void Render(OverlayObserver observer, Dictionary<NodeId, string> nameOf, (string From, string To)[] edges, string lastMessage)
{
    Console.WriteLine();
    Console.WriteLine($"{DateTime.Now:HH:mm:ss}  link   KB/s  buffer   limit     | node  alive");
    var views = new SortedDictionary<string, Overlay.Observer.Client.NodeView>(observer.GetNodes().ToDictionary(v => nameOf.GetValueOrDefault(v.Id, v.Id.ToString())));
    var row = 0;
    foreach (var (from, to) in edges)
    {
        var sender = views.GetValueOrDefault(from);
        var link = sender is not { IsAlive: true } ? null : sender.Status?.Links.FirstOrDefault(l => l.Direction == LinkDirection.Downstream && nameOf.GetValueOrDefault(l.Peer) == to);
        var text = link is null
            ? $"          {from}{to}      -"
            : $"          {from}{to} {link.BytesPerSecond / 1000,6:F1}  {link.BufferedMessages,2}/{link.BufferCapacity,-3} {Limit(link.BandwidthLimit),7}";
        var node = row < views.Count ? views.ElementAt(row) : default;
        var nodeText = node.Value is null ? string.Empty : $"| {node.Key,-4}  {(node.Value.IsAlive ? "yes" : "DEAD")}{(node.Value.Status?.UploadBandwidth is { } up ? $" up {up / 1000:F0}k" : string.Empty)}";
        Console.WriteLine($"{text,-44}{nodeText}");
        row++;
    }

    if (lastMessage.Length > 0)
        Console.WriteLine(lastMessage);

    static string Limit(double? limit) => limit is { } l ? $"{l / 1000:F0}k" : "-";
}
