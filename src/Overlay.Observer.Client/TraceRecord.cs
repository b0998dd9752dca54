using System.Globalization;
using System.Text;

namespace Overlay.Observer.Client;

/// <summary>One line of the observer's trace log: when, which node, what it said.</summary>
/// <param name="Time">When the observer received the trace.</param>
/// <param name="Node">The node that sent it.</param>
/// <param name="Text">The text, unescaped.</param>
public readonly record struct TraceRecord(DateTimeOffset Time, NodeId Node, string Text)
{
    /// <summary>Reads a line of the trace log (time, tab, node, tab, escaped text).</summary>
    /// <exception cref="FormatException">The line is not a trace log line.</exception>
    public static TraceRecord Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var parts = line.Split('\t', 3);
        if (parts.Length != 3)
            throw new FormatException("A trace line has three tab-separated fields.");
        return new TraceRecord(DateTimeOffset.Parse(parts[0], CultureInfo.InvariantCulture), NodeId.Parse(parts[1]), Unescape(parts[2]));
    }

    private static string Unescape(string text)
    {
        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\' || i + 1 == text.Length)
            {
                result.Append(text[i]);
                continue;
            }

            result.Append(text[++i] switch { 't' => '\t', 'r' => '\r', 'n' => '\n', var c => c });
        }

        return result.ToString();
    }
}
