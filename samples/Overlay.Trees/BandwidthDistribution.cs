namespace Overlay.Trees;

/// <summary>Per-node total bandwidth draws: "uniform:LOW-HIGH" or "fixed:RATE" (rates like 50k, 1.5m).</summary>
internal sealed class BandwidthDistribution
{
    private readonly double _low;
    private readonly double _high;

    private BandwidthDistribution(double low, double high)
    {
        _low = low;
        _high = high;
    }

    public static BandwidthDistribution Parse(string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var kind = colon < 0 ? string.Empty : text[..colon];
        var range = colon < 0 ? string.Empty : text[(colon + 1)..];
        switch (kind)
        {
            case "uniform":
                var dash = range.IndexOf('-', StringComparison.Ordinal);
                if (dash <= 0)
                    break;
                var low = ExperimentOptions.ParseRate(range[..dash]);
                var high = ExperimentOptions.ParseRate(range[(dash + 1)..]);
                return high >= low ? new BandwidthDistribution(low, high) : throw new ArgumentException($"Empty range {text}.");
            case "fixed":
                var rate = ExperimentOptions.ParseRate(range);
                return new BandwidthDistribution(rate, rate);
        }

        throw new ArgumentException($"Unknown bandwidth distribution {text}: use uniform:50k-200k or fixed:100k.");
    }

    /// <summary>A draw, rounded to whole bytes per second so a printed experiment can be repeated exactly.</summary>
    public double Next(Random random) => Math.Round(_low + (random.NextDouble() * (_high - _low)));
}
