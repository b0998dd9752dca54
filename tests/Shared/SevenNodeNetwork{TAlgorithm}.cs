namespace Overlay.Testing;

/// <summary>A running <see cref="SevenNodeTopology"/>: its nodes, their algorithms and named links ("AB", "DE", …).</summary>
internal sealed class SevenNodeNetwork<TAlgorithm>(
    Dictionary<string, OverlayNode> nodes,
    Dictionary<string, TAlgorithm> algorithms,
    Dictionary<string, (OverlayNode From, OverlayNode To)> links)
    where TAlgorithm : Algorithm
{
    public Dictionary<string, OverlayNode> Nodes { get; } = nodes;

    public Dictionary<string, TAlgorithm> Algorithms { get; } = algorithms;

    public Dictionary<string, (OverlayNode From, OverlayNode To)> Links { get; } = links;

    public OverlayNode this[string name] => Nodes[name];

    /// <summary>Measures every link, in bytes per second, over <paramref name="window"/>.</summary>
    public Task<Dictionary<string, double>> MeasureAsync(TimeSpan window) => LinkRates.MeasureAsync(Links, window);

    /// <summary>Measures until every named link is within <paramref name="tolerance"/> of its expected rate, or time runs out.</summary>
    public Task<Dictionary<string, double>> ConvergeAsync(IReadOnlyDictionary<string, double> expected, double tolerance, TimeSpan window, TimeSpan timeout) =>
        LinkRates.ConvergeAsync(expected, tolerance, timeout, () => MeasureAsync(window));
}
