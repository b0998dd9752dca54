using BenchmarkDotNet.Attributes;
using Overlay.Algorithms.Coding;

namespace Overlay.Benchmarks;

/// <summary>
/// Random linear network coding of one generation of 32 × 5 KB packets over GF(2^8): decoding it from 32 coded rows
/// by incremental Gauss–Jordan elimination, encoding one coded row, and a relay recoding one row from full rank.
/// The cost is set by <see cref="GaloisField"/>'s region multiply-add: about g² row operations per generation.
/// </summary>
public class RlncBenchmarks
{
    private const int GenerationSize = 32;
    private const int SymbolLength = 5 * 1024;

    private readonly RlncEncoder _encoder = new(GenerationSize, SymbolLength);
    private readonly RlncDecoder _decoder = new(GenerationSize, SymbolLength);
    private readonly RlncDecoder _relay = new(GenerationSize, SymbolLength);
    private readonly Random _random = new(1);
    private byte[][] _rows = [];
    private byte[] _row = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        var packet = new byte[SymbolLength];
        for (var i = 0; i < GenerationSize; i++)
        {
            random.NextBytes(packet);
            _encoder.Add(packet);
        }

        // 32 random rows are independent with probability ~0.996; keep drawing until the set is, so every
        // iteration decodes a whole generation from exactly 32 rows.
        var check = new RlncDecoder(GenerationSize, SymbolLength);
        var rows = new List<byte[]>();
        while (!check.IsComplete)
        {
            var row = new byte[_encoder.RowLength];
            _encoder.Encode(row, random);
            if (check.Add(row))
                rows.Add(row);
        }

        _rows = [.. rows];
        _row = new byte[_encoder.RowLength];
        foreach (var row in _rows)
            _relay.Add(row);
    }

    /// <summary>A whole generation: 32 coded rows in, 32 decoded 5 KB packets out.</summary>
    [Benchmark]
    public int DecodeGeneration()
    {
        _decoder.Reset();
        foreach (var row in _rows)
            _decoder.Add(row);
        return _decoder.Rank;
    }

    /// <summary>One coded 5 KB packet from a full generation: 32 region multiply-adds.</summary>
    [Benchmark]
    public byte EncodePacket()
    {
        _encoder.Encode(_row, _random);
        return _row[0];
    }

    /// <summary>One recoded packet from a relay holding the full rank.</summary>
    [Benchmark]
    public byte RecodePacket()
    {
        _relay.Recode(_row, _random);
        return _row[0];
    }
}
