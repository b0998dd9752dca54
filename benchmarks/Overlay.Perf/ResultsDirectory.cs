namespace Overlay.Perf;

/// <summary>Finds the repository's benchmarks/results folder, wherever the program is started from.</summary>
internal static class ResultsDirectory
{
    public static string Locate()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Overlay.sln")))
                    return Path.Combine(directory.FullName, "benchmarks", "results");
            }
        }

        return Path.Combine(Directory.GetCurrentDirectory(), "results");
    }
}
