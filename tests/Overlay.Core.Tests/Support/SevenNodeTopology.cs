namespace Overlay.Core.Tests.Support;

/// <summary>
/// The paper's seven-node topology of Fig. 6–8: A→B, A→C, B→D, B→F, C→D, C→G, D→E, E→F, E→G, every node
/// forwarding a copy of each data message to all its downstreams (no merging).
/// </summary>
internal sealed class SevenNodeTopology
{
    public static readonly string[] Names = ["A", "B", "C", "D", "E", "F", "G"];

    public static readonly (string From, string To)[] Edges =
        [("A", "B"), ("A", "C"), ("B", "D"), ("B", "F"), ("C", "D"), ("C", "G"), ("D", "E"), ("E", "F"), ("E", "G")];

    private SevenNodeTopology(Dictionary<string, OverlayNode> nodes, Dictionary<string, RelayAlgorithm> relays)
    {
        Nodes = nodes;
        Relays = relays;
        Links = Edges.ToDictionary(e => e.From + e.To, e => (nodes[e.From], nodes[e.To]));
    }

    public Dictionary<string, OverlayNode> Nodes { get; }

    public Dictionary<string, RelayAlgorithm> Relays { get; }

    public Dictionary<string, (OverlayNode From, OverlayNode To)> Links { get; }

    public OverlayNode this[string name] => Nodes[name];

    public static async Task<SevenNodeTopology> StartAsync(TestOverlay overlay, int bufferCapacity, Action<string, OverlayNodeOptions>? configure = null)
    {
        var nodes = new Dictionary<string, OverlayNode>();
        var relays = new Dictionary<string, RelayAlgorithm>();
        foreach (var name in Names)
        {
            var relay = new RelayAlgorithm();
            relays[name] = relay;
            nodes[name] = await overlay.AddAsync(relay, o =>
            {
                o.BufferCapacity = bufferCapacity;
                o.SocketBufferSize = 8 * 1024; // so back pressure is not hidden in kernel buffers
                o.MeasurementInterval = TimeSpan.FromMilliseconds(500);
                configure?.Invoke(name, o);
            });
        }

        foreach (var (from, to) in Edges)
            relays[from].Children.Add(nodes[to].Id);
        return new SevenNodeTopology(nodes, relays);
    }

    /// <summary>Measures every link, in bytes per second, over <paramref name="window"/>.</summary>
    public Task<Dictionary<string, double>> MeasureAsync(TimeSpan window) => LinkRates.MeasureAsync(Links, window);

    /// <summary>Measures until every named link is within <paramref name="tolerance"/> of its expected rate, or time runs out.</summary>
    public async Task<Dictionary<string, double>> ConvergeAsync(IReadOnlyDictionary<string, double> expected, double tolerance, TimeSpan window, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var rates = await MeasureAsync(window);
            var converged = expected.All(e => Math.Abs(rates[e.Key] - e.Value) <= tolerance * e.Value);
            if (converged || DateTime.UtcNow > deadline)
                return rates;
        }
    }
}
