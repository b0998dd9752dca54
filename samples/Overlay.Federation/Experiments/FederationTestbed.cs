using Overlay.Algorithms.Services;
using Overlay.Buffers;

namespace Overlay.Federation.Experiments;

/// <summary>
/// A <see cref="FederationScenario"/> run live: one local node per scenario node running
/// <see cref="ServiceFederationAlgorithm"/>, every link's emulated bandwidth set from the scenario, the scenario's
/// known hosts given, and methods to assign the services, wait for the measurements and run timed sessions.
/// </summary>
public sealed class FederationTestbed : IAsyncDisposable
{
    private readonly List<OverlayNode> _nodes = [];
    private readonly List<ServiceFederationAlgorithm> _algorithms = [];

    private FederationTestbed(FederationScenario scenario) => Scenario = scenario;

    /// <summary>The scenario.</summary>
    public FederationScenario Scenario { get; }

    /// <summary>The nodes, by scenario index.</summary>
    public IReadOnlyList<OverlayNode> Nodes => _nodes;

    /// <summary>The algorithms, by scenario index.</summary>
    public IReadOnlyList<ServiceFederationAlgorithm> Algorithms => _algorithms;

    /// <summary>The message pool every node of the testbed shares (check <see cref="MessagePool.Outstanding"/> after stopping).</summary>
    public MessagePool Pool { get; } = new();

    /// <summary>Starts the nodes of <paramref name="scenario"/> with emulated bandwidths and known hosts; no service is assigned yet.</summary>
    /// <param name="scenario">The overlay to run.</param>
    /// <param name="options">The algorithm settings; the catalogue and seed are set per node from the scenario.</param>
    /// <param name="configure">Changes to each node's options, or null.</param>
    public static async Task<FederationTestbed> StartAsync(FederationScenario scenario, ServiceFederationOptions options, Action<OverlayNodeOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(options);
        var testbed = new FederationTestbed(scenario);
        try
        {
            for (var i = 0; i < scenario.NodeCount; i++)
            {
                var nodeOptions = options.Copy();
                nodeOptions.Catalogue = scenario.Catalogue;
                nodeOptions.Seed = (scenario.Seed * 1000) + i;
                var algorithm = new ServiceFederationAlgorithm(nodeOptions);
                var overlayOptions = new OverlayNodeOptions { Pool = testbed.Pool, SocketBufferSize = 16 * 1024 };
                configure?.Invoke(overlayOptions);
                var node = new OverlayNode(overlayOptions, algorithm);
                testbed._algorithms.Add(algorithm);
                testbed._nodes.Add(node);
                await node.StartAsync();
            }

            for (var u = 0; u < scenario.NodeCount; u++)
            {
                for (var v = 0; v < scenario.NodeCount; v++)
                {
                    if (u != v)
                        testbed._nodes[u].SetLinkBandwidth(testbed._nodes[v].Id, LinkDirection.Downstream, scenario.Link(u, v));
                }

                testbed._algorithms[u].AddKnownHosts(scenario.KnownHosts[u].Select(h => testbed._nodes[h].Id));
            }
        }
        catch
        {
            await testbed.DisposeAsync();
            throw;
        }

        return testbed;
    }

    /// <summary>Assigns every scenario service (sAssign), one node every <paramref name="spacing"/>, as new services joining over time.</summary>
    public async Task AssignServicesAsync(TimeSpan spacing, CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < _nodes.Count; i++)
        {
            var service = Scenario.Services[i];
            if (service == 0)
                continue;
            var algorithm = _algorithms[i];
            await _nodes[i].InvokeAsync(() => algorithm.AssignService(service));
            await Task.Delay(spacing, cancellationToken);
        }
    }

    /// <summary>
    /// The share of (service node, downstream instance) pairs of the scenario that the service node has measured: 1 when
    /// every node knows and measured all its downstream instances.
    /// </summary>
    public double MeasurementCoverage()
    {
        int expected = 0, measured = 0;
        for (var u = 0; u < _nodes.Count; u++)
        {
            var service = Scenario.Services[u];
            if (service == 0)
                continue;
            var known = _algorithms[u].MeasuredBandwidths;
            for (var v = 0; v < _nodes.Count; v++)
            {
                if (v == u || !Scenario.Catalogue.Feeds(service, Scenario.Services[v]))
                    continue;
                expected++;
                if (known.TryGetValue(_nodes[v].Id, out var rate) && rate > 0)
                    measured++;
            }
        }

        return expected == 0 ? 1 : (double)measured / expected;
    }

    /// <summary>
    /// Federates <paramref name="requirement"/> from node <paramref name="source"/>, lets the stream run for
    /// <paramref name="duration"/>, ends the session and returns the source's last report (null if none).
    /// </summary>
    public async Task<FederationReport?> RunSessionAsync(int source, int applicationId, ServiceRequirement requirement, FederationStrategy strategy, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        var algorithm = _algorithms[source];
        await _nodes[source].InvokeAsync(() => algorithm.Federate(applicationId, requirement, strategy));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (algorithm.GetReport(applicationId)?.State == FederationState.Federating && DateTime.UtcNow < deadline)
            await Task.Delay(20, cancellationToken);
        if (algorithm.GetReport(applicationId)?.State == FederationState.Deployed)
            await Task.Delay(duration, cancellationToken);
        var report = algorithm.GetReport(applicationId);
        await _nodes[source].InvokeAsync(() => algorithm.EndSession(applicationId));
        return report;
    }

    /// <summary>Stops every node.</summary>
    public async Task StopAsync() => await Task.WhenAll(_nodes.Select(n => n.StopAsync()));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        foreach (var node in _nodes)
            await node.DisposeAsync();
    }
}
