using System.Globalization;
using System.Text;
using Overlay.Algorithms.Services;

namespace Overlay.Federation;

/// <summary>Control overhead of one message type over the run: total, per node (mean and largest) and per node per second.</summary>
internal sealed record OverheadRow(string Type, long Messages, long Bytes, double MeanPerNode, long MaxPerNode, double BytesPerSecondPerNode)
{
    public static List<OverheadRow> Collect(IReadOnlyList<ServiceFederationAlgorithm> algorithms, TimeSpan elapsed)
    {
        var rows = new List<OverheadRow>();
        for (var type = ServiceMessageTypes.First; type <= ServiceMessageTypes.Last; type++)
            rows.Add(Row(ServiceMessageTypes.NameOf(type)!, algorithms.Select(a => (a.Overhead.MessagesOf(type), a.Overhead.BytesOf(type))).ToArray(), algorithms.Count, elapsed));
        rows.Add(Row("total", algorithms.Select(a => (0L, a.Overhead.TotalBytes)).ToArray(), algorithms.Count, elapsed) with
        {
            Messages = rows.Sum(r => r.Messages),
        });
        return rows;
    }

    public static string Table(IEnumerable<OverheadRow> rows)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{"type",-14} {"messages",9} {"bytes",10} {"mean B/node",12} {"max B/node",11} {"B/s/node",9}");
        foreach (var row in rows)
            text.AppendLine(CultureInfo.InvariantCulture, $"{row.Type,-14} {row.Messages,9} {row.Bytes,10} {row.MeanPerNode,12:F0} {row.MaxPerNode,11} {row.BytesPerSecondPerNode,9:F1}");
        return text.ToString().TrimEnd();
    }

    public static string Csv(IEnumerable<OverheadRow> rows)
    {
        var text = new StringBuilder("type,messages,bytes,mean_bytes_per_node,max_bytes_per_node,bytes_per_second_per_node\n");
        foreach (var row in rows)
            text.AppendLine(CultureInfo.InvariantCulture, $"{row.Type},{row.Messages},{row.Bytes},{row.MeanPerNode:F1},{row.MaxPerNode},{row.BytesPerSecondPerNode:F2}");
        return text.ToString();
    }

    /// <summary>Per node (the paper's Fig. 18): its service and the bytes it sent of each type.</summary>
    public static string PerNodeCsv(IReadOnlyList<ServiceFederationAlgorithm> algorithms)
    {
        var text = new StringBuilder("node,service");
        for (var type = ServiceMessageTypes.First; type <= ServiceMessageTypes.Last; type++)
            text.Append(',').Append(ServiceMessageTypes.NameOf(type));
        text.Append(",total\n");
        for (var i = 0; i < algorithms.Count; i++)
        {
            var overhead = algorithms[i].Overhead;
            text.Append(CultureInfo.InvariantCulture, $"{i},{algorithms[i].HostedService}");
            for (var type = ServiceMessageTypes.First; type <= ServiceMessageTypes.Last; type++)
                text.Append(CultureInfo.InvariantCulture, $",{overhead.BytesOf(type)}");
            text.Append(CultureInfo.InvariantCulture, $",{overhead.TotalBytes}\n");
        }

        return text.ToString();
    }

    private static OverheadRow Row(string type, (long Messages, long Bytes)[] perNode, int nodes, TimeSpan elapsed)
    {
        var bytes = perNode.Sum(p => p.Bytes);
        return new OverheadRow(type, perNode.Sum(p => p.Messages), bytes, (double)bytes / nodes, perNode.Max(p => p.Bytes), bytes / (double)nodes / elapsed.TotalSeconds);
    }
}
