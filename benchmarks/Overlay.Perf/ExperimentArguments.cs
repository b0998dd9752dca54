using System.Globalization;

namespace Overlay.Perf;

/// <summary>Reads <c>--name value</c> options of the experiments that take a few numbers.</summary>
internal static class ExperimentArguments
{
    public static double Double(string[] args, string name, double fallback) =>
        Value(args, name) is { } text ? double.Parse(text, CultureInfo.InvariantCulture) : fallback;

    public static int Int(string[] args, string name, int fallback) =>
        Value(args, name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    public static int[] IntList(string[] args, string name, int[] fallback) =>
        Value(args, name) is { } text ? text.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray() : fallback;

    public static string? Value(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        if (at < 0)
            return null;
        return at + 1 < args.Length ? args[at + 1] : throw new FormatException($"{name} needs a value.");
    }

    public static bool Has(string[] args, string name) => Array.IndexOf(args, name) >= 0;
}
