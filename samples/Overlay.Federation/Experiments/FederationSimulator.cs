using Overlay.Algorithms.Services;

namespace Overlay.Federation.Experiments;

/// <summary>
/// Federates requirements on a <see cref="FederationScenario"/> without running nodes: each node's view is a
/// <see cref="ServiceGraph"/> holding every instance, the scenario's bandwidth to its downstream instances as if
/// measured exactly, and the reach its downstream instances would report. The choices are made by the same
/// <see cref="FederationPlanner"/> the live algorithm runs, visiting the services in the same order; only the
/// measurements are idealised and the session's throughput is modelled as the narrowest chosen link.
/// </summary>
public sealed class FederationSimulator
{
    private readonly FederationScenario _scenario;
    private readonly ServiceGraph[] _views;
    private readonly NodeId[] _ids;

    /// <summary>Builds every node's view of <paramref name="scenario"/>.</summary>
    public FederationSimulator(FederationScenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        _scenario = scenario;
        var count = scenario.NodeCount;

        // Stand-in identities: the planner only compares and orders them.
        _ids = Enumerable.Range(0, count).Select(i => new NodeId(0x7F000001, (ushort)(10_000 + i))).ToArray();
        _views = new ServiceGraph[count];
        for (var u = 0; u < count; u++)
        {
            var view = new ServiceGraph(scenario.Catalogue);
            for (var v = 0; v < count; v++)
            {
                if (v == u || scenario.Services[v] == 0)
                    continue;
                view.Add(_ids[v], scenario.Services[v]);
                if (scenario.Services[u] != 0 && scenario.Catalogue.Feeds(scenario.Services[u], scenario.Services[v]))
                    view.SetBandwidth(_ids[v], scenario.Link(u, v));
            }

            _views[u] = view;
        }

        // Reach: what each downstream instance would report, from its own view.
        for (var u = 0; u < count; u++)
        {
            var service = scenario.Services[u];
            if (service == 0)
                continue;
            foreach (var v in Enumerable.Range(0, count).Where(v => v != u && scenario.Services[v] != 0 && scenario.Catalogue.Feeds(service, scenario.Services[v])))
            {
                foreach (var after in Enumerable.Range(1, FederationScenario.TypeCount).Where(t => scenario.Catalogue.Feeds(scenario.Services[v], t)))
                    _views[u].SetReach(_ids[v], after, _views[v].BestBandwidthTo(after));
            }
        }
    }

    /// <summary>
    /// Federates <paramref name="requirement"/> from node <paramref name="source"/> by <paramref name="strategy"/>.
    /// </summary>
    /// <returns>The chosen node indices in requirement order and the modelled throughput (the narrowest chosen link),
    /// or null when some service had no instance.</returns>
    public (int[] Nodes, double Throughput)? Federate(ServiceRequirement requirement, int source, FederationStrategy strategy, Random random)
    {
        ArgumentNullException.ThrowIfNull(requirement);
        if (_scenario.Services[source] != requirement.Source)
            throw new ArgumentException($"Node {source} does not host the source service {requirement.Source}.", nameof(source));
        var assignment = new NodeId[requirement.Count];
        assignment[0] = _ids[source];
        for (var position = 0; position < requirement.Count - 1; position++)
        {
            var node = Array.IndexOf(_ids, assignment[position]);
            if (FederationPlanner.AssignSuccessors(strategy, _views[node], requirement, position, assignment, random) >= 0)
                return null;
        }

        var nodes = assignment.Select(id => Array.IndexOf(_ids, id)).ToArray();
        var throughput = requirement.Edges.Min(e => _scenario.Link(nodes[e.From], nodes[e.To]));
        return (nodes, throughput);
    }
}
