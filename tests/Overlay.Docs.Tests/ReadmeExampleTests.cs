using NUnit.Framework;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Overlay.Docs.Tests;

/// <summary>The README's first example runs, ends by itself, and shows data flowing.</summary>
public sealed partial class ReadmeExampleTests
{
    [Test]
    [CancelAfter(120_000)]
    public async Task FirstExampleRunsAndShowsDataFlowing()
    {
        var snippet = DocSnippets.ReadmeFirstExample();
        var assembly = SnippetCompiler.Load(SnippetCompiler.Compile(snippet));
        var entry = assembly.EntryPoint ?? throw new InvalidOperationException($"{snippet} has no top-level statements.");

        var output = new StringWriter(CultureInfo.InvariantCulture);
        var console = Console.Out;
        Console.SetOut(output);
        try
        {
            var result = entry.Invoke(null, entry.GetParameters().Length == 0 ? [] : [Array.Empty<string>()]);
            if (result is Task task)
                await task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            Console.SetOut(console);
        }

        var printed = output.ToString();
        TestContext.Out.WriteLine(printed);
        var counts = MessageCount().Matches(printed);
        Assert.That(counts, Is.Not.Empty, $"The example printed no message count:{Environment.NewLine}{printed}");
        Assert.That(long.Parse(counts[0].Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture), Is.GreaterThan(0), printed);
    }

    [GeneratedRegex(@"([\d,]+) messages")]
    private static partial Regex MessageCount();
}
