using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Overlay.Docs.Tests;

/// <summary>
/// Compiles a documentation block as a user's console app would (`dotnet new console`: latest C#, nullable, implicit
/// usings) against the framework and the Overlay assemblies this test was built with.
/// </summary>
public static class SnippetCompiler
{
    // The global usings of an SDK project with ImplicitUsings enabled.
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    private static readonly Lazy<IReadOnlyList<MetadataReference>> References = new(LoadReferences);

    /// <summary>Compiles <paramref name="snippet"/>: a program when it has top-level statements, else a library.</summary>
    public static CSharpCompilation Compile(DocSnippet snippet)
    {
        ArgumentNullException.ThrowIfNull(snippet);
        var options = new CSharpParseOptions(LanguageVersion.Latest);
        var tree = CSharpSyntaxTree.ParseText(snippet.Code, options, path: snippet.ToString());
        var isProgram = tree.GetCompilationUnitRoot().Members.OfType<GlobalStatementSyntax>().Any();
        return CSharpCompilation.Create(
            "Snippet_" + Path.GetFileNameWithoutExtension(snippet.File) + "_" + snippet.Line,
            [tree, CSharpSyntaxTree.ParseText(ImplicitUsings, options, path: "ImplicitUsings.cs")],
            References.Value,
            new CSharpCompilationOptions(
                isProgram ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable));
    }

    /// <summary>The compiler's errors, one line each ("README.md:27(5,9): error CS0103: …").</summary>
    public static IReadOnlyList<string> Errors(Compilation compilation)
    {
        ArgumentNullException.ThrowIfNull(compilation);
        return [.. compilation.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .Select(d => d.ToString())];
    }

    /// <summary>Emits a program and loads it into its own (collectible) load context; Overlay resolves to this test's copy.</summary>
    public static Assembly Load(CSharpCompilation compilation)
    {
        ArgumentNullException.ThrowIfNull(compilation);
        using var image = new MemoryStream();
        var result = compilation.Emit(image);
        if (!result.Success)
            throw new InvalidOperationException(string.Join(Environment.NewLine, result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        image.Position = 0;
        return new AssemblyLoadContext(compilation.AssemblyName, isCollectible: true).LoadFromStream(image);
    }

    // The runtime's assemblies (the test host's trusted platform assemblies: the framework, and this test's
    // dependencies, which include Overlay.Core, Overlay.Algorithms and Overlay.Observer.Client).
    private static IReadOnlyList<MetadataReference> LoadReferences()
    {
        var paths = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(Directory.GetFiles(AppContext.BaseDirectory, "Overlay.*.dll"));
        var byName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var path in paths)
            byName.TryAdd(Path.GetFileName(path), path);
        return [.. byName.Values.Select(p => MetadataReference.CreateFromFile(p))];
    }
}
