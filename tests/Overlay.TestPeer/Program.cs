using System.Globalization;
using Overlay;
using Overlay.TestPeer;

// Usage: Overlay.TestPeer [--send-to a.b.c.d:port] [--failure-timeout-ms N] [--max-pending-handshakes N] [--handshake-timeout-ms N] [--download-bps N]
// Starts a node, prints "LISTENING <endpoint>", and (with --send-to) streams data to that node until killed.
// Each line "stats" on standard input is answered with one line "STATS name=value ..." of the node's counters.
// --download-bps limits what the node reads, so a tiny value makes it a receiver that (almost) stops reading.
NodeId? target = null;
var options = new OverlayNodeOptions();
for (var i = 0; i < args.Length - 1; i++)
{
    if (args[i] == "--send-to")
        target = NodeId.Parse(args[i + 1]);
    else if (args[i] == "--failure-timeout-ms")
        options.FailureTimeout = TimeSpan.FromMilliseconds(int.Parse(args[i + 1], CultureInfo.InvariantCulture));
    else if (args[i] == "--max-pending-handshakes")
        options.MaxPendingHandshakes = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
    else if (args[i] == "--handshake-timeout-ms")
        options.HandshakeTimeout = TimeSpan.FromMilliseconds(int.Parse(args[i + 1], CultureInfo.InvariantCulture));
    else if (args[i] == "--download-bps")
        options.DownloadBandwidth = double.Parse(args[i + 1], CultureInfo.InvariantCulture);
}

var forwarder = new Forwarder(target);
await using var node = new OverlayNode(options, forwarder);
await node.StartAsync();
Console.WriteLine($"LISTENING {node.Id}");
Console.Out.Flush();
if (target is not null)
    await node.DeploySourceAsync(1, new SourceOptions { PayloadLength = 1000 });

// Runs until the test kills the process (or closes standard input).
while (await Console.In.ReadLineAsync() is { } command)
{
    if (command != "stats")
        continue;
    var statistics = node.GetStatistics();
    var connections = statistics.Connections;
    var sent = statistics.Downstreams.Sum(link => link.Messages);
    Console.WriteLine(FormattableString.Invariant(
        $"STATS accepted={connections.Accepted} inHandshake={connections.InHandshake} acceptBackOffs={connections.AcceptBackOffs} upstreams={statistics.Upstreams.Count} sent={sent} refused={statistics.RejectedConnections.Values.Sum()}"));
    Console.Out.Flush();
}
