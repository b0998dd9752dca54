using System.Net;
using Overlay.Buffers;
using Overlay.Observer.ConsoleSample;

namespace Overlay.Observer.Web.Demo;

/// <summary>
/// The paper's seven-node topology (Fig. 6(a)) on this machine, reporting to the dashboard's observer:
/// A→B, A→C, B→D, B→F, C→D, C→G, D→E, E→F, E→G, every node forwarding each data message to all its
/// downstreams, a source of application 1 at A, and A's total bandwidth limited to 400 KB/s so the
/// figures are readable (200 KB/s on each of A's links, 400 KB/s into D and out of E).
/// </summary>
internal sealed class DemoOverlay : IAsyncDisposable
{
    /// <summary>The application the demo's source sends.</summary>
    public const int ApplicationId = 1;

    /// <summary>A's total bandwidth, bytes per second.</summary>
    public const double SourceBandwidth = 400_000;

    public static readonly string[] Names = ["A", "B", "C", "D", "E", "F", "G"];

    public static readonly (string From, string To)[] Edges =
        [("A", "B"), ("A", "C"), ("B", "D"), ("B", "F"), ("C", "D"), ("C", "G"), ("D", "E"), ("E", "F"), ("E", "G")];

    private DemoOverlay(Dictionary<string, OverlayNode> nodes, MessagePool pool)
    {
        Nodes = nodes;
        Pool = pool;
    }

    /// <summary>The nodes by name.</summary>
    public IReadOnlyDictionary<string, OverlayNode> Nodes { get; }

    /// <summary>The pool every demo node rents its messages from (so a test can check none leaked).</summary>
    public MessagePool Pool { get; }

    public static async Task<DemoOverlay> StartAsync(IPEndPoint observer, string? sharedSecret, ILoggerFactory? loggerFactory = null)
    {
        var pool = new MessagePool();
        var nodes = new Dictionary<string, OverlayNode>();
        var relays = new Dictionary<string, FanOutRelay>();
        foreach (var name in Names)
        {
            var options = new OverlayNodeOptions
            {
                ObserverEndPoint = observer,
                SharedSecret = sharedSecret,
                Pool = pool,
                BufferCapacity = 5,
                SocketBufferSize = 8 * 1024, // so back pressure shows in the buffers instead of hiding in kernel ones
                // A demo often shares a busy machine: a process starved for a couple of seconds must not have its
                // relays declare every link dead. A terminated node is still noticed at once, by its closed sockets.
                FailureTimeout = TimeSpan.FromSeconds(10),
                LoggerFactory = loggerFactory,
            };
            if (name == "A")
                options.TotalBandwidth = SourceBandwidth;
            relays[name] = new FanOutRelay();
            nodes[name] = new OverlayNode(options, relays[name]);
            await nodes[name].StartAsync();
        }

        foreach (var (from, to) in Edges)
        {
            var child = nodes[to].Id;
            await nodes[from].InvokeAsync(() => relays[from].Children.Add(child));
        }

        await nodes["A"].DeploySourceAsync(ApplicationId);
        return new DemoOverlay(nodes, pool);
    }

    /// <summary>Stops every node (terminated ones are already gone).</summary>
    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(Nodes.Values.Select(node => node.StopAsync()));
        foreach (var node in Nodes.Values)
            await node.DisposeAsync();
    }
}
