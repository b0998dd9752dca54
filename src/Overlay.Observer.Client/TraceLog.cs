using System.Globalization;
using System.Text;
using System.Threading.Channels;

namespace Overlay.Observer.Client;

/// <summary>
/// Appends traces to a file, one line each: ISO-8601 time, a tab, the node, a tab, the text with backslash,
/// tab and line breaks escaped — readable by a person, split by a program on tabs. One writer, so lines never interleave.
/// </summary>
internal sealed class TraceLog : IAsyncDisposable
{
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly StreamWriter _writer;
    private readonly Task _pump;
    private long _written;

    public TraceLog(string path)
    {
        _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
        _pump = PumpAsync();
    }

    public long Written => Interlocked.Read(ref _written);

    public void Append(TraceRecord trace) =>
        _lines.Writer.TryWrite(string.Create(CultureInfo.InvariantCulture, $"{trace.Time:O}\t{trace.Node}\t{Escape(trace.Text)}"));

    public async ValueTask DisposeAsync()
    {
        _lines.Writer.TryComplete();
        await _pump;
        await _writer.DisposeAsync();
    }

    private static string Escape(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal)
            .Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private async Task PumpAsync()
    {
        var reader = _lines.Reader;
        while (await reader.WaitToReadAsync())
        {
            while (reader.TryRead(out var line))
            {
                await _writer.WriteLineAsync(line);
                Interlocked.Increment(ref _written);
            }

            await _writer.FlushAsync();
        }
    }
}
