namespace Overlay.Docs.Tests;

/// <summary>Finds the documentation a user reads and the C# blocks in it.</summary>
public static class DocSnippets
{
    /// <summary>The repository root: the folder above this test's output that holds Overlay.sln.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>README.md, every package README (src/*/README.md) and docs/*.md, relative to the root, sorted.</summary>
    public static IReadOnlyList<string> MarkdownFiles()
    {
        var files = new List<string> { "README.md" };
        files.AddRange(Directory.GetFiles(Path.Combine(RepositoryRoot, "src"), "README.md", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)));
        files.AddRange(Directory.GetFiles(Path.Combine(RepositoryRoot, "docs"), "*.md"));
        return [.. files.Select(f => Path.GetRelativePath(RepositoryRoot, Path.Combine(RepositoryRoot, f)).Replace('\\', '/')).Distinct().Order(StringComparer.Ordinal)];
    }

    /// <summary>Every ```csharp (or ```cs, ```c#) block of every documentation file.</summary>
    public static IEnumerable<DocSnippet> All() => MarkdownFiles().SelectMany(Read);

    /// <summary>The README's first C# block: the example a new user runs first.</summary>
    public static DocSnippet ReadmeFirstExample() => Read("README.md").First();

    /// <summary>The C# blocks of one Markdown file.</summary>
    public static IEnumerable<DocSnippet> Read(string relativePath)
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot, relativePath));
        for (var i = 0; i < lines.Length; i++)
        {
            var fence = lines[i].Trim();
            if (fence is not ("```csharp" or "```cs" or "```c#"))
                continue;
            var start = i;
            var code = new List<string>();
            for (i++; i < lines.Length && lines[i].Trim() != "```"; i++)
                code.Add(lines[i]);
            if (i == lines.Length)
                throw new InvalidDataException($"{relativePath}:{start + 1}: a C# block is never closed.");
            yield return new DocSnippet(relativePath, start + 1, string.Join('\n', code));
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Overlay.sln")))
                return dir.FullName;
        }

        throw new DirectoryNotFoundException($"No Overlay.sln above {AppContext.BaseDirectory}.");
    }
}
