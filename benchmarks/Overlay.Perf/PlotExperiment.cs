using System.Globalization;
using ScottPlot;

namespace Overlay.Perf;

/// <summary>
/// Draws the results of other experiments as PNGs in benchmarks/results: throughput against chain length (engine and
/// raw sockets, from chain.csv) and memory per connection against connections (medians of footprint.csv's runs).
/// </summary>
internal static class PlotExperiment
{
    private const int Width = 900;
    private const int Height = 540;

    public static int Run(TextWriter output)
    {
        var results = ResultsDirectory.Locate();
        var written = 0;
        var chain = Path.Combine(results, "chain.csv");
        if (File.Exists(chain))
            written += Save(output, PlotChain(CsvTable.Read(chain)), Path.Combine(results, "plot-chain.png"));
        else
            output.WriteLine($"{chain} not found: run the chain experiment first.");

        var footprint = Path.Combine(results, "footprint.csv");
        if (File.Exists(footprint))
            written += Save(output, PlotFootprint(CsvTable.Read(footprint)), Path.Combine(results, "plot-footprint.png"));
        else
            output.WriteLine($"{footprint} not found: run the footprint experiment first.");
        return written == 2 ? 0 : 1;
    }

    private static Plot PlotChain(CsvTable table)
    {
        var lengths = table.Numbers("n");
        var positions = lengths.Select(Math.Log2).ToArray();
        var plot = new Plot();
        AddLine(plot, positions, table.Numbers("engine_mbps"), "engine, end to end", Colors.Blue, LinePattern.Solid);
        AddLine(plot, positions, table.Numbers("raw_mbps"), "raw sockets, end to end", Colors.Orange, LinePattern.Solid);
        AddLine(plot, positions, table.Numbers("engine_total_mbps"), "engine, total over all links", Colors.Blue, LinePattern.Dashed);
        AddLine(plot, positions, table.Numbers("raw_total_mbps"), "raw sockets, total over all links", Colors.Orange, LinePattern.Dashed);
        plot.Axes.Bottom.SetTicks(positions, lengths.Select(n => n.ToString(CultureInfo.InvariantCulture)).ToArray());
        plot.Title("Chain of N nodes, 5 KB messages, buffer 10 (loopback)");
        plot.XLabel("nodes in the chain (N, log scale)");
        plot.YLabel("throughput (MB/s payload)");
        plot.Axes.SetLimitsY(0, Math.Max(table.Numbers("engine_total_mbps").Max(), table.Numbers("raw_total_mbps").Max()) * 1.1);
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    private static Plot PlotFootprint(CsvTable table)
    {
        var (connections, heap) = table.MedianBy("connections", "heap_bytes_per_connection");
        var (_, workingSet) = table.MedianBy("connections", "working_set_bytes_per_connection");
        var positions = connections.Select(Math.Log10).ToArray();
        var plot = new Plot();
        AddLine(plot, positions, workingSet.Select(b => b / 1024).ToArray(), "working set per connection", Colors.Orange, LinePattern.Solid);
        AddLine(plot, positions, heap.Select(b => b / 1024).ToArray(), "managed heap per connection", Colors.Blue, LinePattern.Solid);
        var target = plot.Add.HorizontalLine(128);
        target.Color = Colors.Red;
        target.LinePattern = LinePattern.Dashed;
        target.LegendText = "target: 128 KB per connection";
        plot.Axes.Bottom.SetTicks(positions, connections.Select(n => n.ToString("N0", CultureInfo.InvariantCulture)).ToArray());
        plot.Axes.SetLimitsX(positions.Min() - 0.2, positions.Max() + 0.2);
        plot.Axes.SetLimitsY(0, Math.Max(160, Math.Max(heap.Max(), workingSet.Max()) / 1024 * 1.15));
        plot.Title("Memory per active connection (5 KB messages, buffer 10, median of runs)");
        plot.XLabel("active connections (log scale)");
        plot.YLabel("KB per connection");
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    private static void AddLine(Plot plot, double[] xs, double[] ys, string label, Color color, LinePattern pattern)
    {
        var scatter = plot.Add.Scatter(xs, ys);
        scatter.LegendText = label;
        scatter.Color = color;
        scatter.LinePattern = pattern;
        scatter.LineWidth = 2;
        scatter.MarkerSize = 7;
    }

    private static int Save(TextWriter output, Plot plot, string path)
    {
        plot.SavePng(path, Width, Height);
        output.WriteLine($"Plot written to {Path.GetRelativePath(Directory.GetCurrentDirectory(), path)}");
        return 1;
    }
}
