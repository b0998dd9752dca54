namespace Overlay.Docs.Tests;

/// <summary>One ```csharp block of a Markdown file.</summary>
/// <param name="File">The Markdown file, relative to the repository root.</param>
/// <param name="Line">The line of the opening fence (1-based).</param>
/// <param name="Code">The block's text.</param>
public sealed record DocSnippet(string File, int Line, string Code)
{
    /// <summary>"README.md:27", how test names and compiler messages point at the block.</summary>
    public override string ToString() => $"{File}:{Line}";
}
