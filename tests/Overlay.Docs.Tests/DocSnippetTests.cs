using NUnit.Framework;

namespace Overlay.Docs.Tests;

/// <summary>Every C# block a user reads compiles: README.md, the package READMEs, docs/*.md.</summary>
public sealed class DocSnippetTests
{
    /// <summary>The blocks, one test case each, named after file and line.</summary>
    public static IEnumerable<TestCaseData> Snippets() =>
        DocSnippets.All().Select(s => new TestCaseData(s).SetName($"Compiles({s})"));

    [TestCaseSource(nameof(Snippets))]
    public void Compiles(DocSnippet snippet)
    {
        var errors = SnippetCompiler.Errors(SnippetCompiler.Compile(snippet));
        Assert.That(errors, Is.Empty, $"{snippet} does not compile:{Environment.NewLine}{string.Join(Environment.NewLine, errors)}");
    }

    [Test]
    public void EveryDocumentIsSearched()
    {
        var files = DocSnippets.MarkdownFiles();
        Assert.That(files, Does.Contain("README.md"));
        Assert.That(files, Does.Contain("src/Overlay.Core/README.md"));
        Assert.That(files, Does.Contain("src/Overlay.Observer.Client/README.md"));
        Assert.That(files, Does.Contain("docs/observer.md"));
        // Each package README shows how to use its package.
        foreach (var package in new[] { "src/Overlay.Core/README.md", "src/Overlay.Algorithms/README.md", "src/Overlay.Observer.Client/README.md" })
            Assert.That(DocSnippets.Read(package), Is.Not.Empty, $"{package} has no C# example");
    }

    [Test]
    public void BrokenSnippetIsReported()
    {
        // The checker itself: a block with a statement after a type declaration (CS8803) and an unknown name fails.
        var broken = new DocSnippet("broken.md", 1, "using Overlay;\nsealed class A : Algorithm { }\nvar n = new OverlayNode(new OverlayNodeOptions(), new A());\nawait n.StartAsnc();");
        var errors = SnippetCompiler.Errors(SnippetCompiler.Compile(broken));
        Assert.That(errors, Has.Some.Contains("CS8803"));
        Assert.That(errors, Has.Some.Contains("StartAsnc"));
    }
}
