using System.Globalization;

namespace Overlay.Federation;

/// <summary>The harness's command line.</summary>
internal sealed record HarnessSettings(int Nodes, double RequirementsPerMinute, double Minutes, int Seed)
{
    public const string Usage =
        "usage: Overlay.Federation [--nodes 16..40] [--requirements-per-minute M] [--minutes T] [--seed S]\n" +
        "defaults: --nodes 30 --requirements-per-minute 6 --minutes 1 --seed 1";

    public static HarnessSettings? Parse(string[] args)
    {
        var settings = new HarnessSettings(30, 6, 1, 1);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            settings = args[i] switch
            {
                "--nodes" when int.TryParse(value, out var nodes) && nodes is >= 16 and <= 40 => settings with { Nodes = nodes },
                "--requirements-per-minute" when double.TryParse(value, CultureInfo.InvariantCulture, out var rate) && rate is > 0 and <= 60 => settings with { RequirementsPerMinute = rate },
                "--minutes" when double.TryParse(value, CultureInfo.InvariantCulture, out var minutes) && minutes is > 0 and <= 60 => settings with { Minutes = minutes },
                "--seed" when int.TryParse(value, out var seed) => settings with { Seed = seed },
                _ => null,
            };
            if (settings is null)
                return null;
        }

        return args.Length % 2 == 0 ? settings : null;
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
