namespace Overlay.Algorithms.Services;

/// <summary>
/// One node's service graph: the service instances it knows by type, related by a <see cref="ServiceCatalogue"/>,
/// with its measured bandwidth to them and the reach each reported. Not thread-safe: in a node it lives on the loop.
/// </summary>
public sealed class ServiceGraph : IServiceView
{
    private static readonly NodeId[] NoInstances = [];

    private readonly Dictionary<int, HashSet<NodeId>> _instances = [];
    private readonly Dictionary<NodeId, int> _serviceOf = [];
    private readonly Dictionary<NodeId, double> _bandwidth = [];
    private readonly Dictionary<(NodeId Node, int Service), double> _reach = [];

    /// <summary>Creates an empty graph following <paramref name="catalogue"/>.</summary>
    public ServiceGraph(ServiceCatalogue catalogue)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        Catalogue = catalogue;
    }

    /// <summary>The producer → consumer relation between types.</summary>
    public ServiceCatalogue Catalogue { get; }

    /// <summary>Every known instance with its service type.</summary>
    public IReadOnlyDictionary<NodeId, int> Instances => _serviceOf;

    /// <summary>Records that <paramref name="node"/> hosts <paramref name="service"/>; false when that was known.</summary>
    public bool Add(NodeId node, int service)
    {
        if (_serviceOf.TryGetValue(node, out var known))
        {
            if (known == service)
                return false;
            Remove(node);
        }

        _serviceOf[node] = service;
        if (!_instances.TryGetValue(service, out var set))
            _instances[service] = set = [];
        set.Add(node);
        return true;
    }

    /// <summary>Forgets <paramref name="node"/>: its service, bandwidth and reach; false when it was unknown.</summary>
    public bool Remove(NodeId node)
    {
        _bandwidth.Remove(node);
        if (!_serviceOf.Remove(node, out var service))
            return false;
        _instances[service].Remove(node);
        foreach (var key in _reach.Keys.Where(k => k.Node == node).ToArray())
            _reach.Remove(key);
        return true;
    }

    /// <summary>The service <paramref name="node"/> hosts, or 0 when unknown.</summary>
    public int ServiceOf(NodeId node) => _serviceOf.GetValueOrDefault(node);

    /// <inheritdoc />
    public IReadOnlyCollection<NodeId> InstancesOf(int service) =>
        _instances.TryGetValue(service, out var set) ? set : NoInstances;

    /// <summary>Records a bandwidth measurement to <paramref name="peer"/> (0 marks it failed).</summary>
    public void SetBandwidth(NodeId peer, double bytesPerSecond)
    {
        if (double.IsNaN(bytesPerSecond) || bytesPerSecond < 0)
            throw new ArgumentOutOfRangeException(nameof(bytesPerSecond), bytesPerSecond, "A bandwidth is zero or more.");
        _bandwidth[peer] = bytesPerSecond;
    }

    /// <inheritdoc />
    public double BandwidthTo(NodeId peer) => _bandwidth.TryGetValue(peer, out var value) ? value : double.NaN;

    /// <summary>Records what <paramref name="node"/> reported it reaches of <paramref name="service"/>.</summary>
    public void SetReach(NodeId node, int service, double bytesPerSecond)
    {
        if (double.IsNaN(bytesPerSecond) || bytesPerSecond < 0)
            throw new ArgumentOutOfRangeException(nameof(bytesPerSecond), bytesPerSecond, "A bandwidth is zero or more.");
        _reach[(node, service)] = bytesPerSecond;
    }

    /// <inheritdoc />
    public double ReachOf(NodeId candidate, int service) =>
        _reach.TryGetValue((candidate, service), out var value) ? value : double.NaN;

    /// <summary>
    /// The best measured bandwidth from this node to any instance of <paramref name="service"/> (0 when none is
    /// measured): what a node reports upstream as its reach.
    /// </summary>
    public double BestBandwidthTo(int service)
    {
        var best = 0.0;
        foreach (var node in InstancesOf(service))
        {
            var bandwidth = BandwidthTo(node);
            if (bandwidth > best)
                best = bandwidth;
        }

        return best;
    }

    /// <summary>Known instances of types that <paramref name="service"/> feeds (its downstream).</summary>
    public IEnumerable<NodeId> ConsumersOf(int service) => _serviceOf.Where(p => Catalogue.Feeds(service, p.Value)).Select(p => p.Key);

    /// <summary>Known instances of types that feed <paramref name="service"/> (its upstream).</summary>
    public IEnumerable<NodeId> ProducersOf(int service) => _serviceOf.Where(p => Catalogue.Feeds(p.Value, service)).Select(p => p.Key);

    /// <summary>Types <paramref name="service"/> feeds among the known instances.</summary>
    public IEnumerable<int> ConsumerTypesOf(int service) => _instances.Keys.Where(t => Catalogue.Feeds(service, t));
}
