using System.Globalization;

namespace Overlay.Perf;

/// <summary>Command line of the throughput experiments.</summary>
internal sealed record PerfOptions
{
    public required string Mode { get; init; }

    /// <summary>Length of each measurement window.</summary>
    public double Seconds { get; init; } = 3;

    /// <summary>Traffic before each window, so connections, JIT tiers and buffers have settled.</summary>
    public double WarmupSeconds { get; init; } = 1;

    public required IReadOnlyList<int> Sizes { get; init; }

    public required int PayloadLength { get; init; }

    /// <summary>Messages per link buffer, as in the paper's experiments.</summary>
    public int BufferCapacity { get; init; } = 10;

    /// <summary>True keeps the default source, which writes a checkable pattern into every payload.</summary>
    public bool PatternFill { get; init; } = true;

    /// <summary>Where chain rows go as CSV; null for the repository's benchmarks/results/chain.csv.</summary>
    public string? CsvPath { get; init; }

    public static string Usage =>
        """
        usage: Overlay.Perf chain [--seconds S] [--warmup W] [--sizes 2,3,4,8,16,32] [--payload BYTES] [--fill pattern|none] [--csv PATH]
               Overlay.Perf small [--seconds S] [--warmup W] [--sizes 3,5] [--payload BYTES] [--fill pattern|none]
               Overlay.Perf emulator [--seconds S]     (bandwidth emulator accuracy, 10 KB/s … 100 MB/s)
               Overlay.Perf failures [--trials N]      (failure detection latency; needs tests/Overlay.TestPeer built)
               Overlay.Perf footprint [--connections 10,100,1000] [--warmup W] [--seconds S]   (memory per connection, allocations per message)
               Overlay.Perf scale [--nodes 1000] [--seed 42] [--settle S] [--idle S] [--load S] [--rumors PER_S] [--payload BYTES]
               Overlay.Perf iperf3 [--seconds S]       (two nodes and the raw relay against iperf3 on loopback)
               Overlay.Perf plot                       (benchmarks/results/plot-*.png from chain.csv and footprint.csv)
        """;

    /// <summary>Parses the arguments; null (and a message on <paramref name="error"/>) when they make no sense.</summary>
    public static PerfOptions? Parse(string[] args, TextWriter error)
    {
        if (args.Length == 0 || args[0] is not ("chain" or "small"))
        {
            error.WriteLine(Usage);
            return null;
        }

        var small = args[0] == "small";
        var options = new PerfOptions
        {
            Mode = args[0],
            Sizes = small ? [3, 5] : [2, 3, 4, 8, 16, 32],
            PayloadLength = small ? 64 : 5 * 1024,
        };
        try
        {
            for (var i = 1; i < args.Length; i++)
            {
                var value = i + 1 < args.Length ? args[i + 1] : throw new FormatException($"{args[i]} needs a value.");
                options = args[i] switch
                {
                    "--seconds" => options with { Seconds = PositiveDouble(value) },
                    "--warmup" => options with { WarmupSeconds = double.Parse(value, CultureInfo.InvariantCulture) },
                    "--sizes" => options with { Sizes = value.Split(',').Select(s => ChainLength(s)).ToArray() },
                    "--payload" => options with { PayloadLength = int.Parse(value, CultureInfo.InvariantCulture) },
                    "--fill" => options with { PatternFill = IsPatternFill(value) },
                    "--csv" => options with { CsvPath = value },
                    _ => throw new FormatException($"Unknown option {args[i]}."),
                };
                i++;
            }
        }
        catch (FormatException ex)
        {
            error.WriteLine(ex.Message);
            error.WriteLine(Usage);
            return null;
        }

        return options;
    }

    private static double PositiveDouble(string text)
    {
        var value = double.Parse(text, CultureInfo.InvariantCulture);
        return value > 0 ? value : throw new FormatException("--seconds must be positive.");
    }

    private static bool IsPatternFill(string text) => text switch
    {
        "pattern" => true,
        "none" => false,
        _ => throw new FormatException("--fill is pattern or none."),
    };

    private static int ChainLength(string text)
    {
        var value = int.Parse(text, CultureInfo.InvariantCulture);
        return value >= 2 ? value : throw new FormatException("A chain has at least 2 nodes.");
    }
}
