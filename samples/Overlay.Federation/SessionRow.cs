using System.Globalization;
using System.Text;
using Overlay.Algorithms.Services;
using Overlay.Federation.Experiments;

namespace Overlay.Federation;

/// <summary>One federated session of the run: live outcome and the scenario model's throughput for the same choice rule.</summary>
internal sealed record SessionRow(int Requirement, int Application, FederationStrategy Strategy, string Services, int Source, string State,
    string Chosen, double Throughput, double LastHop, double DelayMilliseconds, double? FederationMilliseconds, double? Bottleneck, double? ModelThroughput)
{
    public static SessionRow Create(int requirement, int application, FederationStrategy strategy, ServiceRequirement services, int source, FederationReport? report,
        double? model, FederationTestbed testbed)
    {
        var chosen = report?.ChosenNodes.Select(id => Index(testbed.Nodes, id)).ToArray() ?? [];

        // The emulated bottleneck of the nodes actually chosen: the narrowest scenario link between them.
        double? bottleneck = chosen.Length == services.Count && chosen.All(i => i >= 0)
            ? services.Edges.Min(e => testbed.Scenario.Link(chosen[e.From], chosen[e.To]))
            : null;
        return new SessionRow(requirement, application, strategy, services.ToString(), source, report?.State.ToString() ?? "none", string.Join(" ", chosen),
            report?.AverageThroughput ?? 0, report?.LastHopThroughput ?? 0, report?.EndToEndDelay?.TotalMilliseconds ?? double.NaN,
            report?.FederationTime?.TotalMilliseconds, bottleneck, model);
    }

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"  req {Requirement,2} {Strategy,-6} {State,-9} nodes [{Chosen}] {Throughput / 1000,6:F1} KB/s (last hop {LastHop / 1000,6:F1}, emulated bottleneck {Bottleneck / 1000,6:F1}, simulated {ModelThroughput / 1000,6:F1}), delay {DelayMilliseconds,7:F1} ms  {Services}");

    public static string Table(IReadOnlyList<SessionRow> rows, IEnumerable<FederationStrategy> strategies)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{"algorithm",-9} {"sessions",8} {"deployed",8} {"median KB/s",11} {"mean KB/s",9} {"median last hop",15} {"median delay ms",15} {"bottleneck KB/s",15} {"simulated KB/s",14}");
        foreach (var strategy in strategies)
        {
            var mine = rows.Where(r => r.Strategy == strategy).ToArray();
            var deployed = mine.Where(r => r.Throughput > 0).ToArray();
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{strategy,-9} {mine.Length,8} {deployed.Length,8} {Median(mine.Select(r => r.Throughput)) / 1000,11:F1} {Mean(mine.Select(r => r.Throughput)) / 1000,9:F1} " +
                $"{Median(mine.Select(r => r.LastHop)) / 1000,15:F1} {Median(deployed.Select(r => r.DelayMilliseconds)),15:F1} {Median(mine.Where(r => r.Bottleneck is not null).Select(r => r.Bottleneck!.Value)) / 1000,15:F1} {Median(mine.Where(r => r.ModelThroughput is not null).Select(r => r.ModelThroughput!.Value)) / 1000,14:F1}");
        }

        return text.ToString().TrimEnd();
    }

    public static string Csv(IEnumerable<SessionRow> rows)
    {
        var text = new StringBuilder("requirement,application,algorithm,services,source,state,chosen_nodes,throughput_bytes_per_s,last_hop_bytes_per_s,delay_ms,federation_ms,emulated_bottleneck_bytes_per_s,simulated_throughput_bytes_per_s\n");
        foreach (var row in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{row.Requirement},{row.Application},{row.Strategy},\"{row.Services}\",{row.Source},{row.State},{row.Chosen},{row.Throughput:F0},{row.LastHop:F0},{row.DelayMilliseconds:F1},{row.FederationMilliseconds:F1},{row.Bottleneck:F0},{row.ModelThroughput:F0}");
        }

        return text.ToString();
    }

    private static int Index(IReadOnlyList<OverlayNode> nodes, NodeId id)
    {
        for (var i = 0; i < nodes.Count; i++)
        {
            if (nodes[i].Id == id)
                return i;
        }

        return -1;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToArray();
        if (sorted.Length == 0)
            return double.NaN;
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static double Mean(IEnumerable<double> values)
    {
        var list = values.ToArray();
        return list.Length == 0 ? double.NaN : list.Average();
    }
}
