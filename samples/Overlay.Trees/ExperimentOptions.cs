using System.Globalization;

namespace Overlay.Trees;

/// <summary>The command line of the tree experiment.</summary>
internal sealed class ExperimentOptions
{
    public const string Usage =
        """
        usage: Overlay.Trees --algorithm stress|random|unicast [--nodes N] [--bandwidth uniform:50k-200k|fixed:100k]
                             [--source-bandwidth 100k] [--seed S] [--join-order index|random|reverse|slowest-first|fastest-first|3,1,2,...]
                             [--seconds T] [--warmup T] [--stress-interval MS] [--join-spacing MS] [--bootstrap K] [--payload BYTES] [--out FILE]
        """;

    public string Algorithm { get; private set; } = "stress";

    public int Nodes { get; private set; } = 30;

    public string Bandwidth { get; private set; } = "uniform:50k-200k";

    public double SourceBandwidth { get; private set; } = 100_000;

    public int Seed { get; private set; } = 1;

    public string JoinOrder { get; private set; } = "index";

    public double Seconds { get; private set; } = 10;

    /// <summary>Seconds of data before measuring, so every buffer on the deepest path is full (steady state).</summary>
    public double Warmup { get; private set; } = 5;

    public TimeSpan StressInterval { get; private set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Pause after a node is attached before the next joins; null for four stress periods.</summary>
    public TimeSpan? JoinSpacing { get; private set; }

    public int Bootstrap { get; private set; } = 4;

    public int Payload { get; private set; } = 5000;

    public string? Output { get; private set; }

    public static ExperimentOptions Parse(string[] args)
    {
        var options = new ExperimentOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            switch (name)
            {
                case "--algorithm":
                    options.Algorithm = Value();
                    break;
                case "--nodes":
                    options.Nodes = int.Parse(Value(), CultureInfo.InvariantCulture);
                    break;
                case "--bandwidth":
                    options.Bandwidth = Value();
                    break;
                case "--source-bandwidth":
                    options.SourceBandwidth = ParseRate(Value());
                    break;
                case "--seed":
                    options.Seed = int.Parse(Value(), CultureInfo.InvariantCulture);
                    break;
                case "--join-order":
                    options.JoinOrder = Value();
                    break;
                case "--seconds":
                    options.Seconds = double.Parse(Value(), CultureInfo.InvariantCulture);
                    break;
                case "--warmup":
                    options.Warmup = double.Parse(Value(), CultureInfo.InvariantCulture);
                    break;
                case "--stress-interval":
                    options.StressInterval = TimeSpan.FromMilliseconds(int.Parse(Value(), CultureInfo.InvariantCulture));
                    break;
                case "--join-spacing":
                    options.JoinSpacing = TimeSpan.FromMilliseconds(int.Parse(Value(), CultureInfo.InvariantCulture));
                    break;
                case "--bootstrap":
                    options.Bootstrap = int.Parse(Value(), CultureInfo.InvariantCulture);
                    break;
                case "--payload":
                    options.Payload = int.Parse(Value(), CultureInfo.InvariantCulture);
                    break;
                case "--out":
                    options.Output = Value();
                    break;
                default:
                    throw new ArgumentException($"Unknown option {name}.");
            }
        }

        if (options.Algorithm is not ("stress" or "random" or "unicast"))
            throw new ArgumentException($"Unknown algorithm {options.Algorithm}.");
        if (options.Nodes < 2)
            throw new ArgumentException("At least two nodes: a source and a receiver.");
        if (options.Seconds <= 0 || options.Warmup < 0 || options.Bootstrap < 1 || options.Payload < 1)
            throw new ArgumentException("--seconds, --bootstrap and --payload are positive, --warmup not negative.");
        return options;
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
}
