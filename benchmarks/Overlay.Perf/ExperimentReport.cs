using System.Globalization;

namespace Overlay.Perf;

/// <summary>
/// Where an experiment's results go: its printed text (console, and benchmarks/results/NAME-yyyy-MM-dd.txt) and
/// its CSV rows (appended to benchmarks/results/NAME.csv with the UTC time of the run, so repeated runs can be
/// compared and their median taken).
/// </summary>
internal sealed class ExperimentReport
{
    private readonly StringWriter _copy = new(CultureInfo.InvariantCulture);
    private readonly string _runTime = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    public ExperimentReport(string name, TextWriter console)
    {
        Name = name;
        Out = new TeeWriter(console, _copy);
    }

    public string Name { get; }

    /// <summary>Text written here is printed and kept for the .txt report.</summary>
    public TextWriter Out { get; }

    /// <summary>Appends rows to NAME.csv, writing the header first when the file is new.</summary>
    public void AppendCsv(string header, IEnumerable<string> rows)
    {
        var path = Path.Combine(ResultsDirectory.Locate(), Name + ".csv");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var isNew = !File.Exists(path);
        using var writer = new StreamWriter(path, append: true);
        if (isNew)
            writer.WriteLine("run_utc," + header);
        foreach (var row in rows)
            writer.WriteLine(_runTime + "," + row);
        Out.WriteLine($"CSV rows appended to {Shown(path)}");
    }

    /// <summary>Saves everything printed so far as NAME-yyyy-MM-dd.txt.</summary>
    public void SaveText()
    {
        var path = Path.Combine(ResultsDirectory.Locate(), $"{Name}-{DateTime.UtcNow:yyyy-MM-dd}.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        Out.WriteLine($"Report written to {Shown(path)}");
        File.WriteAllText(path, _copy.ToString());
    }

    // Relative to where the program was started (the repository root, usually), so reports name no machine's folders.
    private static string Shown(string path) => Path.GetRelativePath(Directory.GetCurrentDirectory(), path);

    /// <summary>Formats a number for CSV: invariant culture, up to three decimals.</summary>
    public static string Csv(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
