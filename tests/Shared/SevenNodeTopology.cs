namespace Overlay.Testing;

/// <summary>
/// The paper's seven-node topology of Fig. 6–8: A→B, A→C, B→D, B→F, C→D, C→G, D→E, E→F, E→G, started with one
/// algorithm per node.
/// </summary>
internal static class SevenNodeTopology
{
    public static readonly string[] Names = ["A", "B", "C", "D", "E", "F", "G"];

    /// <summary>The links, in the order each node's downstreams are added (A's first downstream is B).</summary>
    public static readonly (string From, string To)[] Edges =
        [("A", "B"), ("A", "C"), ("B", "D"), ("B", "F"), ("C", "D"), ("C", "G"), ("D", "E"), ("E", "F"), ("E", "G")];

    /// <summary>Every node a <see cref="RelayAlgorithm"/> forwarding a copy of each data message to all its downstreams (no merging).</summary>
    public static Task<SevenNodeNetwork<RelayAlgorithm>> StartAsync(TestOverlay overlay, int bufferCapacity, Action<string, OverlayNodeOptions>? configure = null) =>
        StartAsync(overlay, _ => new RelayAlgorithm(), (relay, child) => relay.Children.Add(child), (name, o) =>
        {
            o.BufferCapacity = bufferCapacity;
            configure?.Invoke(name, o);
        });

    /// <summary>
    /// Starts a node per name with the algorithm <paramref name="create"/> makes for it, then tells each algorithm
    /// its downstreams through <paramref name="addDownstream"/>, in <see cref="Edges"/> order.
    /// </summary>
    public static async Task<SevenNodeNetwork<TAlgorithm>> StartAsync<TAlgorithm>(
        TestOverlay overlay,
        Func<string, TAlgorithm> create,
        Action<TAlgorithm, NodeId> addDownstream,
        Action<string, OverlayNodeOptions>? configure = null)
        where TAlgorithm : Algorithm
    {
        var nodes = new Dictionary<string, OverlayNode>();
        var algorithms = new Dictionary<string, TAlgorithm>();
        foreach (var name in Names)
        {
            var algorithm = create(name);
            algorithms[name] = algorithm;
            nodes[name] = await overlay.AddAsync(algorithm, o =>
            {
                o.SocketBufferSize = 8 * 1024; // so back pressure is not hidden in kernel buffers
                o.MeasurementInterval = TimeSpan.FromMilliseconds(500);
                configure?.Invoke(name, o);
            });
        }

        foreach (var (from, to) in Edges)
            addDownstream(algorithms[from], nodes[to].Id);
        return new SevenNodeNetwork<TAlgorithm>(nodes, algorithms, Edges.ToDictionary(e => e.From + e.To, e => (nodes[e.From], nodes[e.To])));
    }
}
