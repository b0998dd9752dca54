using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Running;

namespace Overlay.Benchmarks;

/// <summary>Runs the micro-benchmarks; pass BenchmarkDotNet arguments, e.g. <c>--filter '*' --job short</c>.</summary>
internal static class Program
{
    public static void Main(string[] args)
    {
        // The hot paths are meant to allocate nothing, so every run reports allocations.
        var config = DefaultConfig.Instance.AddDiagnoser(MemoryDiagnoser.Default);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
    }
}
