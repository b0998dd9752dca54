using Overlay.Algorithms.Services;

namespace Overlay.Algorithms.Tests.Services;

/// <summary>
/// Local nodes running <see cref="ServiceFederationAlgorithm"/>, with emulated per-link bandwidths (set on the sending
/// side) and methods to assign services and wait for the graphs and measurements the federation needs.
/// </summary>
internal sealed class ServiceOverlay : IAsyncDisposable
{
    private readonly TestOverlay _overlay = new();

    public List<OverlayNode> Nodes { get; } = [];

    public List<ServiceFederationAlgorithm> Algorithms { get; } = [];

    public Buffers.MessagePool Pool => _overlay.Pool;

    /// <summary>Fast housekeeping so tests settle in seconds; measurements are never repeated within a test.</summary>
    public static ServiceFederationOptions FastOptions(ServiceCatalogue catalogue, int seed) => new()
    {
        Catalogue = catalogue,
        MaintenanceInterval = TimeSpan.FromMilliseconds(100),
        MeasurementInterval = TimeSpan.FromMinutes(10),
        ReachInterval = TimeSpan.FromMilliseconds(200),
        ReportInterval = TimeSpan.FromMilliseconds(500),
        DataPayloadLength = 2000,
        Seed = seed,
    };

    public async Task AddNodesAsync(int count, Func<int, ServiceFederationOptions> options, Action<OverlayNodeOptions>? configure = null)
    {
        for (var i = 0; i < count; i++)
        {
            var algorithm = new ServiceFederationAlgorithm(options(i));
            Algorithms.Add(algorithm);
            Nodes.Add(await _overlay.AddAsync(algorithm, o =>
            {
                o.SocketBufferSize = 16 * 1024;
                configure?.Invoke(o);
            }));
        }
    }

    /// <summary>Each node learns the hosts given for it (as an observer's bootstrap set would give them).</summary>
    public void Introduce(int node, IEnumerable<int> hosts) => Algorithms[node].AddKnownHosts(hosts.Select(h => Nodes[h].Id));

    public void SetLink(int from, int to, double bytesPerSecond) =>
        Nodes[from].SetLinkBandwidth(Nodes[to].Id, LinkDirection.Downstream, bytesPerSecond);

    public async Task AssignAsync(int node, int service)
    {
        await Nodes[node].InvokeAsync(() => Algorithms[node].AssignService(service));

        // One at a time, so each announcement finds the instances assigned before it.
        await Task.Delay(150);
    }

    public int IndexOf(NodeId id) => Nodes.FindIndex(n => n.Id == id);

    /// <summary>Waits until <paramref name="node"/> measured every one of <paramref name="downstream"/>.</summary>
    public Task<bool> MeasuredAsync(int node, IEnumerable<int> downstream, TimeSpan timeout)
    {
        var ids = downstream.Select(d => Nodes[d].Id).ToArray();
        return Eventually.TrueAsync(() =>
        {
            var measured = Algorithms[node].MeasuredBandwidths;
            return ids.All(id => measured.TryGetValue(id, out var rate) && rate > 0);
        }, timeout);
    }

    /// <summary>
    /// Waits until every node ranks its measured downstream instances in the order of their emulated bandwidths: a probe
    /// train caught in a stall of a loaded machine can read a wide link as narrow, and the choice that follows from it
    /// is then right for what the node knows but not for the test's expectation. Needs periodic re-measurement.
    /// </summary>
    public Task<bool> RankingsAgreeAsync(IReadOnlyDictionary<(int From, int To), double> links, TimeSpan timeout) =>
        Eventually.TrueAsync(() =>
        {
            foreach (var group in links.GroupBy(l => l.Key.From))
            {
                var measured = Algorithms[group.Key].MeasuredBandwidths;
                var ordered = group.OrderByDescending(l => l.Value).Select(l => l.Key.To).ToList();
                for (var i = 1; i < ordered.Count; i++)
                {
                    if (!measured.TryGetValue(Nodes[ordered[i - 1]].Id, out var wider) || !measured.TryGetValue(Nodes[ordered[i]].Id, out var narrower) || wider <= narrower)
                        return false;
                }
            }

            return true;
        }, timeout);

    public async Task<FederationReport?> FederateAsync(int source, int application, ServiceRequirement requirement, FederationStrategy strategy, TimeSpan timeout)
    {
        await Nodes[source].InvokeAsync(() => Algorithms[source].Federate(application, requirement, strategy));
        await Eventually.TrueAsync(() => Algorithms[source].GetReport(application)?.State != FederationState.Federating, timeout);
        return Algorithms[source].GetReport(application);
    }

    public Task EndAsync(int source, int application) => Nodes[source].InvokeAsync(() => Algorithms[source].EndSession(application));

    public Task StopAllAsync() => _overlay.StopAllAsync();

    public ValueTask DisposeAsync() => _overlay.DisposeAsync();
}
