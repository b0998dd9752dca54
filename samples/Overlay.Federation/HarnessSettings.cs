using System.CommandLine;

namespace Overlay.Federation;

/// <summary>The harness's command line.</summary>
internal sealed record HarnessSettings(int Nodes, double RequirementsPerMinute, double Minutes, int Seed)
{
    /// <summary>
    /// The command line: <c>--nodes</c> 16–40, <c>--requirements-per-minute</c> (0, 60], <c>--minutes</c> (0, 60],
    /// <c>--seed</c>; <paramref name="run"/> gets the settings once they parsed and validated (otherwise the errors and
    /// the usage are printed, exit code 1).
    /// </summary>
    public static RootCommand Command(Func<HarnessSettings, Task<int>> run)
    {
        var nodes = new Option<int>("--nodes") { Description = "Emulated nodes, 16–40.", DefaultValueFactory = _ => 30 };
        nodes.Require(n => n is >= 16 and <= 40, "--nodes is between 16 and 40.");
        var rate = new Option<double>("--requirements-per-minute") { Description = "Requirements drawn per minute, more than 0 and at most 60.", DefaultValueFactory = _ => 6 };
        rate.Require(r => r is > 0 and <= 60, "--requirements-per-minute is more than 0 and at most 60.");
        var minutes = new Option<double>("--minutes") { Description = "How long requirements are drawn, more than 0 and at most 60.", DefaultValueFactory = _ => 1 };
        minutes.Require(m => m is > 0 and <= 60, "--minutes is more than 0 and at most 60.");
        var seed = new Option<int>("--seed") { Description = "Seed of the scenario (bandwidths, services, requirements).", DefaultValueFactory = _ => 1 };
        var root = new RootCommand(
            "The sFlow experiment harness: a seeded service overlay of local nodes, M requirements a minute federated with " +
            "sFlow, fixed and random; prints the control overhead and the throughput per algorithm, writes CSVs to benchmarks/results.")
        {
            nodes, rate, minutes, seed,
        };
        root.SetAction((parseResult, _) => run(new HarnessSettings(
            parseResult.GetValue(nodes), parseResult.GetValue(rate), parseResult.GetValue(minutes), parseResult.GetValue(seed))));
        return root;
    }

    /// <summary>benchmarks/results under the repository root (found from the working directory), created if needed.</summary>
    public static string ResultsDirectory()
    {
        var directory = new DirectoryInfo(Directory.GetCurrentDirectory());
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Overlay.sln")))
            directory = directory.Parent;
        var results = Path.Combine(directory?.FullName ?? Directory.GetCurrentDirectory(), "benchmarks", "results");
        Directory.CreateDirectory(results);
        return results;
    }
}
