using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Overlay.Trees;

/// <summary>The command line of the tree experiment.</summary>
internal sealed class ExperimentOptions
{
    public string Algorithm { get; private init; } = "stress";

    public int Nodes { get; private init; } = 30;

    public string Bandwidth { get; private init; } = "uniform:50k-200k";

    public double SourceBandwidth { get; private init; } = 100_000;

    public int Seed { get; private init; } = 1;

    public string JoinOrder { get; private init; } = "index";

    public double Seconds { get; private init; } = 10;

    /// <summary>Seconds of data before measuring, so every buffer on the deepest path is full (steady state).</summary>
    public double Warmup { get; private init; } = 5;

    public TimeSpan StressInterval { get; private init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Pause after a node is attached before the next joins; null for four stress periods.</summary>
    public TimeSpan? JoinSpacing { get; private init; }

    public int Bootstrap { get; private init; } = 4;

    public int Payload { get; private init; } = 5000;

    public string? Output { get; private init; }

    /// <summary>
    /// The command line; <paramref name="run"/> gets the options once they parsed and validated (otherwise the errors
    /// and the usage are printed, exit code 1).
    /// </summary>
    public static RootCommand Command(Func<ExperimentOptions, Task<int>> run)
    {
        var defaults = new ExperimentOptions();
        var algorithm = new Option<string>("--algorithm") { Description = "Tree construction: stress (node-stress-aware), random or unicast.", DefaultValueFactory = _ => defaults.Algorithm };
        algorithm.AcceptOnlyFromAmong("stress", "random", "unicast");
        var nodes = new Option<int>("--nodes") { Description = "Nodes, the source included (at least 2).", DefaultValueFactory = _ => defaults.Nodes };
        nodes.Require(v => v >= 2, "--nodes is at least 2: a source and a receiver.");
        var bandwidth = new Option<string>("--bandwidth") { Description = "Per-node total bandwidth: uniform:LOW-HIGH or fixed:RATE (rates like 50k, 1.5m bytes/s).", DefaultValueFactory = _ => defaults.Bandwidth };
        bandwidth.Require(BandwidthDistribution.IsValid, text => $"Unknown bandwidth distribution {text}: use uniform:50k-200k or fixed:100k (LOW ≤ HIGH, rates positive).");
        var sourceBandwidth = new Option<double>("--source-bandwidth") { Description = "The source's total bandwidth (e.g. 100k).", DefaultValueFactory = _ => defaults.SourceBandwidth, CustomParser = RateOrError };
        var seed = new Option<int>("--seed") { Description = "Seed of the bandwidth draws, join order and gossip.", DefaultValueFactory = _ => defaults.Seed };
        var joinOrder = new Option<string>("--join-order") { Description = "index, random, reverse, slowest-first, fastest-first, or a list such as 3,1,2,… of every receiver.", DefaultValueFactory = _ => defaults.JoinOrder };
        var seconds = new Option<double>("--seconds") { Description = "Seconds of measurement.", DefaultValueFactory = _ => defaults.Seconds };
        seconds.Require(v => v > 0, "--seconds is positive.");
        var warmup = new Option<double>("--warmup") { Description = "Seconds of data before measuring, so every buffer on the deepest path is full.", DefaultValueFactory = _ => defaults.Warmup };
        warmup.Require(v => v >= 0, "--warmup is not negative.");
        var stressInterval = new Option<int>("--stress-interval") { Description = "Milliseconds between stress exchanges.", DefaultValueFactory = _ => (int)defaults.StressInterval.TotalMilliseconds };
        stressInterval.Require(v => v > 0, "--stress-interval is positive.");
        var joinSpacing = new Option<int?>("--join-spacing") { Description = "Milliseconds between one node attaching and the next joining (default: four stress periods)." };
        joinSpacing.Require(v => v is null or >= 0, "--join-spacing is not negative.");
        var bootstrap = new Option<int>("--bootstrap") { Description = "Random other nodes each node knows.", DefaultValueFactory = _ => defaults.Bootstrap };
        bootstrap.Require(v => v >= 1, "--bootstrap is at least 1.");
        var payload = new Option<int>("--payload") { Description = "Payload bytes per data message.", DefaultValueFactory = _ => defaults.Payload };
        payload.Require(v => v >= 1, "--payload is at least 1.");
        var output = new Option<string?>("--out") { Description = "CSV file to write (default: benchmarks/results/trees-<algorithm>.csv)." };
        var root = new RootCommand(
            "The tree experiment of the iOverlay paper: N emulated nodes join a multicast tree one by one; prints degree, stress and throughput.")
        {
            algorithm, nodes, bandwidth, sourceBandwidth, seed, joinOrder, seconds, warmup, stressInterval, joinSpacing, bootstrap, payload, output,
        };
        root.SetAction((result, _) => run(new ExperimentOptions
        {
            Algorithm = result.GetValue(algorithm)!,
            Nodes = result.GetValue(nodes),
            Bandwidth = result.GetValue(bandwidth)!,
            SourceBandwidth = result.GetValue(sourceBandwidth),
            Seed = result.GetValue(seed),
            JoinOrder = result.GetValue(joinOrder)!,
            Seconds = result.GetValue(seconds),
            Warmup = result.GetValue(warmup),
            StressInterval = TimeSpan.FromMilliseconds(result.GetValue(stressInterval)),
            JoinSpacing = result.GetValue(joinSpacing) is { } spacing ? TimeSpan.FromMilliseconds(spacing) : null,
            Bootstrap = result.GetValue(bootstrap),
            Payload = result.GetValue(payload),
            Output = result.GetValue(output),
        }));
        return root;
    }

    /// <summary>"150k" → 150,000; "1.5m" → 1,500,000; plain numbers are bytes per second.</summary>
    public static double ParseRate(string text)
    {
        var scale = 1.0;
        if (text.EndsWith('k') || text.EndsWith('K'))
            scale = 1_000;
        else if (text.EndsWith('m') || text.EndsWith('M'))
            scale = 1_000_000;
        var number = scale == 1 ? text : text[..^1];
        var value = double.Parse(number, CultureInfo.InvariantCulture) * scale;
        return value > 0 ? value : throw new ArgumentException($"A bandwidth is positive: {text}.");
    }

    private static double RateOrError(ArgumentResult result)
    {
        try
        {
            return ParseRate(result.Tokens[0].Value);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
        {
            result.AddError(ex.Message);
            return 0;
        }
    }
}
