namespace Overlay.Perf;

/// <summary>Prints rows as right-aligned columns.</summary>
internal static class TextTable
{
    public static void Write(TextWriter writer, IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        var widths = headers.Select(h => h.Length).ToArray();
        foreach (var row in rows)
        {
            for (var i = 0; i < widths.Length; i++)
                widths[i] = Math.Max(widths[i], row[i].Length);
        }

        WriteLine(writer, headers, widths);
        writer.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in rows)
            WriteLine(writer, row, widths);
    }

    private static void WriteLine(TextWriter writer, IReadOnlyList<string> cells, int[] widths) =>
        writer.WriteLine(string.Join("  ", cells.Select((cell, i) => cell.PadLeft(widths[i]))));
}
