using System.Globalization;

namespace Overlay.Perf;

/// <summary>A CSV file with a header line and plain comma-separated values (no quoting), read by column name.</summary>
internal sealed class CsvTable
{
    private readonly Dictionary<string, int> _columns;
    private readonly List<string[]> _rows;

    private CsvTable(Dictionary<string, int> columns, List<string[]> rows)
    {
        _columns = columns;
        _rows = rows;
    }

    public int Count => _rows.Count;

    public static CsvTable Read(string path)
    {
        var lines = File.ReadAllLines(path).Where(line => line.Length > 0).ToList();
        if (lines.Count == 0)
            throw new InvalidDataException($"{path} is empty.");
        var columns = lines[0].Split(',').Select((name, i) => (name, i)).ToDictionary(c => c.name, c => c.i);
        return new CsvTable(columns, lines.Skip(1).Select(line => line.Split(',')).ToList());
    }

    /// <summary>The column's values as numbers, row by row.</summary>
    public double[] Numbers(string column)
    {
        var at = _columns.TryGetValue(column, out var index) ? index : throw new InvalidDataException($"No column {column}.");
        return _rows.Select(row => double.Parse(row[at], CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>Median of <paramref name="value"/> for each distinct <paramref name="key"/>, keys ascending.</summary>
    public (double[] Keys, double[] Medians) MedianBy(string key, string value)
    {
        var keys = Numbers(key);
        var values = Numbers(value);
        var groups = keys.Zip(values).GroupBy(p => p.First).OrderBy(g => g.Key).ToList();
        return (groups.Select(g => g.Key).ToArray(), groups.Select(g => Median(g.Select(p => p.Second))).ToArray());
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
