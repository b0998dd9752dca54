using Overlay.Algorithms.Services;

namespace Overlay.Federation.Experiments;

/// <summary>
/// A seeded service overlay for experiments: heterogeneous emulated bandwidths, services placed at random on a
/// layered catalogue, a few known hosts per node, and a stream of random requirements (chains, and diamonds with a
/// fork and a join). The same seed gives the same overlay, so a live run and a simulation can be compared.
/// </summary>
/// <remarks>
/// Bandwidth from node u to node v is min(upload of u, download of v) times a per-pair factor in [0.6, 1], with
/// uploads and downloads uniform in [<see cref="MinBandwidth"/>, <see cref="MaxBandwidth"/>]: PlanetLab-like
/// heterogeneity where a fast first hop can lead into a node with little upload. Service types 1 to 8 sit in four
/// layers of two; every type of one layer feeds every type of the next.
/// </remarks>
public sealed class FederationScenario
{
    /// <summary>Layers of the catalogue.</summary>
    public const int Layers = 4;

    /// <summary>Service types per layer.</summary>
    public const int TypesPerLayer = 2;

    /// <summary>The lowest emulated upload or download, bytes/s.</summary>
    public const double MinBandwidth = 50_000;

    /// <summary>The highest emulated upload or download, bytes/s.</summary>
    public const double MaxBandwidth = 400_000;

    private readonly double[,] _links;
    private readonly int[] _services;

    /// <summary>Draws a scenario.</summary>
    /// <param name="nodes">How many nodes (at least 8).</param>
    /// <param name="seed">The seed of every draw.</param>
    /// <param name="serviceShare">The share of nodes hosting a service.</param>
    /// <param name="knownHosts">How many random known hosts each node starts with.</param>
    public FederationScenario(int nodes, int seed, double serviceShare = 0.8, int knownHosts = 4)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 8);
        if (serviceShare is <= 0 or > 1)
            throw new ArgumentOutOfRangeException(nameof(serviceShare), serviceShare, "Between 0 (exclusive) and 1.");
        Seed = seed;
        var random = new Random(seed);
        var upload = new double[nodes];
        var download = new double[nodes];
        for (var i = 0; i < nodes; i++)
        {
            upload[i] = Math.Round(MinBandwidth + (random.NextDouble() * (MaxBandwidth - MinBandwidth)));
            download[i] = Math.Round(MinBandwidth + (random.NextDouble() * (MaxBandwidth - MinBandwidth)));
        }

        _links = new double[nodes, nodes];
        for (var u = 0; u < nodes; u++)
        {
            for (var v = 0; v < nodes; v++)
                _links[u, v] = u == v ? 0 : Math.Round(Math.Min(upload[u], download[v]) * (0.6 + (0.4 * random.NextDouble())));
        }

        // Every type gets instances round-robin first, so each type has as many as the share allows; the rest at random.
        _services = new int[nodes];
        var order = Enumerable.Range(0, nodes).OrderBy(_ => random.Next()).ToArray();
        var hosting = Math.Max(TypeCount, (int)Math.Round(nodes * serviceShare));
        for (var k = 0; k < hosting; k++)
            _services[order[k]] = k < 2 * TypeCount ? (k % TypeCount) + 1 : random.Next(1, TypeCount + 1);

        KnownHosts = Enumerable.Range(0, nodes)
            .Select(i => (IReadOnlyList<int>)Enumerable.Range(0, nodes).Where(j => j != i).OrderBy(_ => random.Next()).Take(knownHosts).ToArray())
            .ToArray();
        var edges = new List<(int, int)>();
        for (var layer = 0; layer < Layers - 1; layer++)
        {
            foreach (var producer in TypesOf(layer))
            {
                foreach (var consumer in TypesOf(layer + 1))
                    edges.Add((producer, consumer));
            }
        }

        Catalogue = ServiceCatalogue.FromEdges(edges);
    }

    /// <summary>How many service types the catalogue has.</summary>
    public static int TypeCount => Layers * TypesPerLayer;

    /// <summary>The seed.</summary>
    public int Seed { get; }

    /// <summary>How many nodes.</summary>
    public int NodeCount => _services.Length;

    /// <summary>The service each node hosts (0 for none).</summary>
    public IReadOnlyList<int> Services => _services;

    /// <summary>Each node's starting known hosts, as node indices.</summary>
    public IReadOnlyList<IReadOnlyList<int>> KnownHosts { get; }

    /// <summary>The layered catalogue.</summary>
    public ServiceCatalogue Catalogue { get; }

    /// <summary>The emulated bandwidth from node <paramref name="from"/> to node <paramref name="to"/>, bytes/s.</summary>
    public double Link(int from, int to) => _links[from, to];

    /// <summary>The nodes hosting <paramref name="service"/>.</summary>
    public IEnumerable<int> InstancesOf(int service) => Enumerable.Range(0, NodeCount).Where(i => _services[i] == service);

    /// <summary>
    /// A random requirement from the first layer to the last: one type per layer, or (with probability
    /// <paramref name="forkShare"/>) a diamond that forks into both types of the second layer and joins in the third.
    /// Only types with an instance are used.
    /// </summary>
    public ServiceRequirement NextRequirement(Random random, double forkShare = 0.3)
    {
        ArgumentNullException.ThrowIfNull(random);
        var chosen = new int[Layers];
        for (var layer = 0; layer < Layers; layer++)
        {
            var available = TypesOf(layer).Where(t => InstancesOf(t).Any()).ToArray();
            if (available.Length == 0)
                throw new InvalidOperationException($"No service of layer {layer} is placed.");
            chosen[layer] = available[random.Next(available.Length)];
        }

        var second = TypesOf(1).Where(t => t != chosen[1] && InstancesOf(t).Any()).ToArray();
        if (second.Length == 0 || random.NextDouble() >= forkShare)
            return ServiceRequirement.Chain(chosen);
        var fork = second[0];
        return new ServiceRequirement(
            [chosen[0], chosen[1], fork, chosen[2], chosen[3]],
            [(chosen[0], chosen[1]), (chosen[0], fork), (chosen[1], chosen[2]), (fork, chosen[2]), (chosen[2], chosen[3])]);
    }

    /// <summary>The service types of <paramref name="layer"/>.</summary>
    public static IEnumerable<int> TypesOf(int layer) => Enumerable.Range((layer * TypesPerLayer) + 1, TypesPerLayer);
}
