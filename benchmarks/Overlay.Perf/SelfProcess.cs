using System.Diagnostics;
using System.Reflection;

namespace Overlay.Perf;

/// <summary>
/// Runs one measurement of an experiment in a fresh copy of this program, so its memory figures start from a clean
/// process rather than one whose heap and working set earlier measurements have grown. The child prints its
/// progress on standard error and its result as one line starting with <see cref="RowPrefix"/> on standard output.
/// </summary>
internal static class SelfProcess
{
    public const string RowPrefix = "ROW ";

    /// <summary>Runs this program with <paramref name="arguments"/> and returns the comma-separated fields of its result line.</summary>
    public static async Task<string[]> RunAsync(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo { FileName = Environment.ProcessPath!, RedirectStandardOutput = true, UseShellExecute = false };
        // Started as "dotnet Overlay.Perf.dll": the host needs the assembly again.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);

        using var child = Process.Start(start) ?? throw new InvalidOperationException("Could not start a child process.");
        var output = await child.StandardOutput.ReadToEndAsync();
        await child.WaitForExitAsync();
        var row = output.Split('\n').Select(line => line.TrimEnd('\r')).LastOrDefault(line => line.StartsWith(RowPrefix, StringComparison.Ordinal));
        return row is null
            ? throw new InvalidOperationException($"The child measurement exited with code {child.ExitCode} and printed no result.")
            : row[RowPrefix.Length..].Split(',');
    }

    /// <summary>Prints the result line of a child measurement.</summary>
    public static void WriteRow(IEnumerable<string> fields) => Console.Out.WriteLine(RowPrefix + string.Join(',', fields));
}
