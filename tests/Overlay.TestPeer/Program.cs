using Overlay;
using Overlay.TestPeer;

// Usage: Overlay.TestPeer [--send-to a.b.c.d:port] [--failure-timeout-ms N] [--download-bps N]
// Starts a node, prints "LISTENING <endpoint>", and (with --send-to) streams data to that node until killed.
// --download-bps limits what the node reads, so a tiny value makes it a receiver that (almost) stops reading.
NodeId? target = null;
var failureTimeout = TimeSpan.FromSeconds(2);
double? download = null;
for (var i = 0; i < args.Length - 1; i++)
{
    if (args[i] == "--send-to")
        target = NodeId.Parse(args[i + 1]);
    else if (args[i] == "--failure-timeout-ms")
        failureTimeout = TimeSpan.FromMilliseconds(int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture));
    else if (args[i] == "--download-bps")
        download = double.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture);
}

var forwarder = new Forwarder(target);
await using var node = new OverlayNode(new OverlayNodeOptions { FailureTimeout = failureTimeout, DownloadBandwidth = download }, forwarder);
await node.StartAsync();
Console.WriteLine($"LISTENING {node.Id}");
Console.Out.Flush();
if (target is not null)
    await node.DeploySourceAsync(1, new SourceOptions { PayloadLength = 1000 });

// Runs until the test kills the process (or closes standard input).
await Console.In.ReadToEndAsync();
