using System.Diagnostics;
using System.Globalization;
using System.Text;
using Overlay.Algorithms;
using Overlay.Algorithms.Trees;
using Overlay.Buffers;

namespace Overlay.Trees;

/// <summary>One run: start the nodes, build the tree, measure, print a table and write the CSV.</summary>
internal sealed class Experiment(ExperimentOptions options)
{
    private const int Application = 1;

    private readonly MessagePool _pool = new();
    private readonly List<OverlayNode> _nodes = [];
    private readonly List<SessionAlgorithm> _algorithms = [];

    public async Task<int> RunAsync()
    {
        var random = new Random(options.Seed);
        var distribution = BandwidthDistribution.Parse(options.Bandwidth);
        var bandwidths = Enumerable.Range(0, options.Nodes).Select(i => i == 0 ? options.SourceBandwidth : distribution.Next(random)).ToArray();
        var order = JoinOrder(bandwidths, random);
        var spacing = options.JoinSpacing ?? options.StressInterval * 4;
        Console.WriteLine(
            $"Tree experiment: {options.Algorithm}, {options.Nodes} nodes, bandwidth {options.Bandwidth}, source {options.SourceBandwidth / 1000:F0} KB/s, " +
            $"seed {options.Seed}, stress every {options.StressInterval.TotalMilliseconds:F0} ms, joins {spacing.TotalMilliseconds:F0} ms apart, " +
            $"{options.Payload} B messages, {options.Warmup:F0} s warm-up, {options.Seconds:F0} s measured");
        try
        {
            await StartNodesAsync(bandwidths, random);
            await _nodes[0].InvokeAsync(() => _algorithms[0].StartSession(Application, new SourceOptions { PayloadLength = options.Payload }));
            await Task.Delay(options.StressInterval * 2);

            var clock = Stopwatch.StartNew();
            foreach (var index in order)
            {
                await _nodes[index].InvokeAsync(() => _algorithms[index].JoinSession(Application));
                if (!await UntilAsync(() => View(index)?.IsAttached == true, TimeSpan.FromSeconds(30)))
                    Console.WriteLine($"  node {index} has not joined after 30 s; going on");
                await Task.Delay(spacing);
            }

            var joined = clock.Elapsed;
            var consistent = await UntilAsync(() => Problem() is null, TimeSpan.FromSeconds(15));
            Console.WriteLine($"All joins issued in {joined.TotalSeconds:F1} s; tree {(consistent ? "consistent" : "NOT consistent: " + Problem())}.");

            await Task.Delay(TimeSpan.FromSeconds(options.Warmup));
            var rates = await MeasureAsync(TimeSpan.FromSeconds(options.Seconds));
            var rows = Rows(rates);
            PrintTable(rows);
            var path = WriteCsv(rows);
            Console.WriteLine($"CSV: {path}");
            return consistent ? 0 : 1;
        }
        finally
        {
            await Task.WhenAll(_nodes.Select(n => n.StopAsync()));
            Console.WriteLine($"Stopped; messages outside the pool: {_pool.Outstanding}.");
        }
    }

    private async Task StartNodesAsync(double[] bandwidths, Random random)
    {
        for (var i = 0; i < bandwidths.Length; i++)
        {
            var session = new SessionOptions { StressInterval = options.StressInterval, Seed = (options.Seed * 1000) + i };
            SessionAlgorithm algorithm = options.Algorithm switch
            {
                "stress" => new NodeStressAwareTree(session),
                "random" => new RandomTree(session),
                _ => new AllUnicastTree(session),
            };
            var node = new OverlayNode(
                new OverlayNodeOptions
                {
                    Pool = _pool,
                    TotalBandwidth = bandwidths[i],
                    BufferCapacity = 4,
                    SocketBufferSize = 8 * 1024, // control messages must not queue behind megabytes of data in kernel buffers
                    EmulationSeed = i,
                },
                algorithm);
            await node.StartAsync();
            _nodes.Add(node);
            _algorithms.Add(algorithm);
        }

        // A bootstrap set per node, as an observer would hand out.
        var ids = _nodes.Select(n => n.Id).ToArray();
        for (var i = 0; i < ids.Length; i++)
        {
            var others = ids.Where((_, j) => j != i).ToArray();
            random.Shuffle(others);
            _algorithms[i].AddKnownHosts(others.Take(options.Bootstrap));
        }
    }

    private int[] JoinOrder(double[] bandwidths, Random random)
    {
        var joiners = Enumerable.Range(1, options.Nodes - 1).ToArray();
        switch (options.JoinOrder)
        {
            case "index":
                return joiners;
            case "reverse":
                return [.. joiners.Reverse()];
            case "random":
                random.Shuffle(joiners);
                return joiners;
            case "slowest-first":
                return [.. joiners.OrderBy(i => bandwidths[i])];
            case "fastest-first":
                return [.. joiners.OrderByDescending(i => bandwidths[i])];
        }

        var listed = options.JoinOrder.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        if (!listed.Order().SequenceEqual(joiners))
            throw new ArgumentException($"--join-order lists each of 1..{options.Nodes - 1} once.");
        return listed;
    }

    private SessionSnapshot? View(int index) => _algorithms[index].GetSnapshot(Application);

    /// <summary>Null when every node is attached and parents and children agree; otherwise the first disagreement.</summary>
    private string? Problem()
    {
        var views = Enumerable.Range(0, _nodes.Count).Select(View).ToArray();
        var byId = Enumerable.Range(0, _nodes.Count).ToDictionary(i => _nodes[i].Id, i => views[i]);
        for (var i = 0; i < views.Length; i++)
        {
            var view = views[i];
            if (view is null || !view.IsAttached)
                return $"node {i} is not attached";
            if (i > 0 && byId.GetValueOrDefault(view.Parent)?.Children.Contains(_nodes[i].Id) != true)
                return $"node {i}'s parent does not count it as a child";
        }

        return null;
    }

    private async Task<Dictionary<int, double>> MeasureAsync(TimeSpan window)
    {
        var before = Enumerable.Range(1, _nodes.Count - 1).ToDictionary(i => i, i => View(i)?.BytesReceived ?? 0);
        var clock = Stopwatch.StartNew();
        await Task.Delay(window);
        var seconds = clock.Elapsed.TotalSeconds;
        return before.ToDictionary(b => b.Key, b => ((View(b.Key)?.BytesReceived ?? 0) - b.Value) / seconds);
    }

    private List<Row> Rows(Dictionary<int, double> rates)
    {
        var index = Enumerable.Range(0, _nodes.Count).ToDictionary(i => _nodes[i].Id, i => i);
        return [.. Enumerable.Range(0, _nodes.Count).Select(i =>
        {
            var view = View(i);
            var parent = view is null || view.Parent.IsNone ? -1 : index.GetValueOrDefault(view.Parent, -1);
            return new Row(
                i,
                _nodes[i].Id,
                (_nodes[i].GetBandwidth(Emulation.BandwidthScope.Total) ?? 0) / 1000,
                parent,
                view is null ? 0 : Math.Max(0, view.Path.Count - 1),
                view?.Degree ?? 0,
                (view?.Stress ?? 0) * 100_000,
                i == 0 ? double.NaN : rates.GetValueOrDefault(i) / 1000);
        })];
    }

    private static void PrintTable(List<Row> rows)
    {
        Console.WriteLine();
        Console.WriteLine(" node  endpoint               KB/s  parent  depth  degree  stress/100KB/s  received KB/s");
        foreach (var row in rows)
        {
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $" {row.Index,4}  {row.Id,-21} {row.BandwidthKBps,5:F0}  {(row.Parent < 0 ? "-" : row.Parent.ToString(CultureInfo.InvariantCulture)),6}  {row.Depth,5}  {row.Degree,6}  {row.Stress,14:F2}  {(double.IsNaN(row.ReceivedKBps) ? "source" : row.ReceivedKBps.ToString("F1", CultureInfo.InvariantCulture)),13}"));
        }

        var received = rows.Where(r => !double.IsNaN(r.ReceivedKBps)).Select(r => r.ReceivedKBps).Order().ToArray();
        var median = received.Length % 2 == 1 ? received[received.Length / 2] : (received[(received.Length / 2) - 1] + received[received.Length / 2]) / 2;
        Console.WriteLine();
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"max stress {rows.Max(r => r.Stress):F2} per 100 KB/s (source {rows[0].Stress:F2}, degree {rows[0].Degree}), max depth {rows.Max(r => r.Depth)}; " +
            $"received KB/s min {received.Min():F1} median {median:F1} mean {received.Average():F1} max {received.Max():F1}"));
    }

    private string WriteCsv(List<Row> rows)
    {
        var path = options.Output ?? Path.Combine(RepositoryRoot(), "benchmarks", "results", $"trees-{options.Algorithm}.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var csv = new StringBuilder("node,endpoint,bandwidth_kBps,parent,depth,degree,stress_per_100kBps,received_kBps\n");
        foreach (var row in rows)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{row.Index},{row.Id},{row.BandwidthKBps:F3},{row.Parent},{row.Depth},{row.Degree},{row.Stress:F4},");
            csv.Append(double.IsNaN(row.ReceivedKBps) ? string.Empty : row.ReceivedKBps.ToString("F3", CultureInfo.InvariantCulture));
            csv.Append('\n');
        }

        File.WriteAllText(path, csv.ToString());
        return path;
    }

    // The results live with the repository's other benchmark results; outside a checkout, next to the working directory.
    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(Environment.CurrentDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Overlay.sln")))
                return directory.FullName;
        }

        return Environment.CurrentDirectory;
    }

    private static async Task<bool> UntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (condition())
                return true;
            await Task.Delay(20);
        }

        return condition();
    }

    private sealed record Row(int Index, NodeId Id, double BandwidthKBps, int Parent, int Depth, int Degree, double Stress, double ReceivedKBps);
}
