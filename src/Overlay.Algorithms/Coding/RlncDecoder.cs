namespace Overlay.Algorithms.Coding;

/// <summary>
/// The receiving side of random linear network coding for one generation: incremental Gauss–Jordan elimination
/// over GF(2^8). Each arriving coded row is reduced against the basis held so far; a row that reduces to zero is
/// not innovative and dropped; at rank g the basis is the identity and its symbols are the source packets.
/// </summary>
/// <remarks>
/// <para>The basis is kept in reduced row-echelon form with the coefficients and symbol of a row in one contiguous
/// buffer, so every elimination step is one <see cref="GaloisField.MultiplyAdd(ReadOnlySpan{byte}, Span{byte}, byte)"/>
/// over the whole row. Memory is fixed: g rows of <c>g + SymbolLength</c> bytes.</para>
/// <para>A relay uses the same basis to <see cref="Recode"/> — send random combinations of what it holds — without
/// waiting for the full rank. Not thread-safe; <see cref="Reset"/> reuses the decoder for another generation.</para>
/// </remarks>
public sealed class RlncDecoder
{
    private readonly byte[] _rows;
    private readonly int[] _pivotOfRow;
    private readonly int[] _rowOfPivot;

    /// <summary>Creates a decoder for generations of <paramref name="generationSize"/> packets of <paramref name="symbolLength"/> bytes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range.</exception>
    public RlncDecoder(int generationSize, int symbolLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(generationSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(generationSize, RlncPacketHeader.MaxGenerationSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(symbolLength, 1);
        GenerationSize = generationSize;
        SymbolLength = symbolLength;
        _rows = new byte[generationSize * RowLength];
        _pivotOfRow = new int[generationSize];
        _rowOfPivot = new int[generationSize];
        Reset();
    }

    /// <summary>Source packets per generation, g.</summary>
    public int GenerationSize { get; }

    /// <summary>Bytes per source packet.</summary>
    public int SymbolLength { get; }

    /// <summary>Bytes of a coded row: g coefficients then the symbol.</summary>
    public int RowLength => GenerationSize + SymbolLength;

    /// <summary>Linearly independent rows received so far.</summary>
    public int Rank { get; private set; }

    /// <summary>True at rank g: every source packet is available from <see cref="GetPacket"/>.</summary>
    public bool IsComplete => Rank == GenerationSize;

    /// <summary>Forgets everything, for the next generation.</summary>
    public void Reset()
    {
        Rank = 0;
        Array.Fill(_rowOfPivot, -1);
    }

    /// <summary>Adds a coded row (g coefficients then the symbol).</summary>
    /// <returns>True when the row was innovative (raised the rank); false when it was a combination of rows already held.</returns>
    /// <exception cref="ArgumentException"><paramref name="row"/> is not <see cref="RowLength"/> bytes long.</exception>
    public bool Add(ReadOnlySpan<byte> row)
    {
        CheckRow(row.Length, nameof(row));
        if (IsComplete)
            return false;
        var g = GenerationSize;
        var candidate = Row(Rank);
        row.CopyTo(candidate);

        // Forward: clear every pivot column the basis already covers. The basis is reduced, so one pass suffices.
        for (var i = 0; i < Rank; i++)
        {
            var factor = candidate[_pivotOfRow[i]];
            if (factor != 0)
                GaloisField.MultiplyAdd(Row(i), candidate, factor);
        }

        var pivot = candidate[..g].IndexOfAnyExcept((byte)0);
        if (pivot < 0)
            return false;

        // Normalise the new pivot to 1, then clear its column from the other rows to keep the basis reduced.
        var scale = candidate[pivot];
        if (scale != 1)
            GaloisField.Multiply(candidate, candidate, GaloisField.Inverse(scale));
        for (var i = 0; i < Rank; i++)
        {
            var other = Row(i);
            var factor = other[pivot];
            if (factor != 0)
                GaloisField.MultiplyAdd(candidate, other, factor);
        }

        _pivotOfRow[Rank] = pivot;
        _rowOfPivot[pivot] = Rank;
        Rank++;
        return true;
    }

    /// <summary>Source packet <paramref name="index"/> of the generation, once <see cref="IsComplete"/>.</summary>
    /// <exception cref="InvalidOperationException">The generation is not decoded yet.</exception>
    public ReadOnlySpan<byte> GetPacket(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, GenerationSize);
        if (!IsComplete)
            throw new InvalidOperationException($"Rank {Rank} of {GenerationSize}: the generation is not decoded yet.");
        return Row(_rowOfPivot[index])[GenerationSize..];
    }

    /// <summary>
    /// Writes a random combination of the rows held (coefficients and symbol) into <paramref name="row"/>: what a
    /// relay sends on without decoding. The result is never the zero row.
    /// </summary>
    /// <returns>False when nothing is held yet.</returns>
    /// <exception cref="ArgumentException"><paramref name="row"/> is not <see cref="RowLength"/> bytes long.</exception>
    public bool Recode(Span<byte> row, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        CheckRow(row.Length, nameof(row));
        if (Rank == 0)
            return false;
        Span<byte> weights = stackalloc byte[Rank];
        RlncEncoder.RandomCoefficients(weights, random);

        // The basis rows are independent, so non-zero weights give a non-zero row.
        GaloisField.Multiply(Row(0), row, weights[0]);
        for (var i = 1; i < Rank; i++)
            GaloisField.MultiplyAdd(Row(i), row, weights[i]);
        return true;
    }

    private Span<byte> Row(int index) => _rows.AsSpan(index * RowLength, RowLength);

    private void CheckRow(int length, string parameter)
    {
        if (length != RowLength)
            throw new ArgumentException($"A coded row is {RowLength} bytes; this one is {length}.", parameter);
    }
}
