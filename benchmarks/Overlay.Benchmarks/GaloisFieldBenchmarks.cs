using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Overlay.Algorithms.Coding;

namespace Overlay.Benchmarks;

/// <summary>
/// Region multiply-accumulate in GF(2^8), dst ^= c·src, the inner loop of network encoding and decoding: the scalar
/// product-table loop against each SIMD width, and the public entry point (the widest width this machine supports).
/// The GB/s column is the span length divided by the mean time. A width the processor lacks fails with
/// <see cref="PlatformNotSupportedException"/> rather than measuring a fallback under its name.
/// </summary>
[Config(typeof(ThroughputConfig))]
public class GaloisFieldBenchmarks
{
    // Any coefficient other than 0 and 1, which the vector paths short-cut to nothing and to XOR.
    private const byte Coefficient = 0x8E;

    private byte[] _source = [];
    private byte[] _destination = [];

    /// <summary>Span length in bytes: a small packet, a typical 5 KB coded block, a 64 KiB block.</summary>
    [Params(1024, 5 * 1024, 64 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _source = new byte[Size];
        _destination = new byte[Size];
        new Random(42).NextBytes(_source);
        new Random(43).NextBytes(_destination);
    }

    [Benchmark(Baseline = true)]
    public void Scalar() => GaloisFieldRegion.MultiplyAdd(_source, _destination, Coefficient, GaloisFieldVectorWidth.Scalar);

    [Benchmark]
    public void Vector128() => GaloisFieldRegion.MultiplyAdd(_source, _destination, Coefficient, GaloisFieldVectorWidth.Vector128);

    [Benchmark]
    public void Vector256() => GaloisFieldRegion.MultiplyAdd(_source, _destination, Coefficient, GaloisFieldVectorWidth.Vector256);

    [Benchmark]
    public void Vector512() => GaloisFieldRegion.MultiplyAdd(_source, _destination, Coefficient, GaloisFieldVectorWidth.Vector512);

    [Benchmark]
    public void Public() => GaloisField.MultiplyAdd(_source, _destination, Coefficient);

    private sealed class ThroughputConfig : ManualConfig
    {
        public ThroughputConfig() => AddColumn(new GigabytesPerSecondColumn());
    }

    // Throughput in decimal gigabytes (10^9 bytes) per second of the source span.
    private sealed class GigabytesPerSecondColumn : IColumn
    {
        public string Id => nameof(GigabytesPerSecondColumn);
        public string ColumnName => "GB/s";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => "Bytes of the span divided by the mean time, in 10^9 bytes per second";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
            GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var meanNanoseconds = summary[benchmarkCase]?.ResultStatistics?.Mean;
            if (meanNanoseconds is not > 0 || benchmarkCase.Parameters["Size"] is not int size)
                return "-";
            return (size / meanNanoseconds.Value).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
        }

        public bool IsAvailable(Summary summary) => true;
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}
