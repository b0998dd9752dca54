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

    /// <summary>True when <paramref name="text"/> is a distribution <see cref="Parse"/> accepts.</summary>
    public static bool IsValid(string? text)
    {
        try
        {
            _ = Parse(text ?? string.Empty);
            return true;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
        {
            return false;
        }
    }

    /// <summary>A draw, rounded to whole bytes per second so a printed experiment can be repeated exactly.</summary>
    public double Next(Random random) => Math.Round(_low + (random.NextDouble() * (_high - _low)));
}
