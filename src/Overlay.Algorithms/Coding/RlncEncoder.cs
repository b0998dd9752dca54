namespace Overlay.Algorithms.Coding;

/// <summary>
/// The source side of random linear network coding over GF(2^8): collects the g source packets of one generation
/// and makes coded rows — a coefficient vector followed by the matching combination of the packets.
/// </summary>
/// <remarks>A coded row is <c>g + SymbolLength</c> bytes, laid out as in an RLNC packet after its
/// <see cref="RlncPacketHeader"/>. Encoding works from the first packet on, combining the packets added so far, so a
/// source can send while its generation fills. Not thread-safe; reuse one encoder for generation after generation.</remarks>
public sealed class RlncEncoder
{
    private readonly byte[] _packets;

    /// <summary>Creates an encoder for generations of <paramref name="generationSize"/> packets of <paramref name="symbolLength"/> bytes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range.</exception>
    public RlncEncoder(int generationSize, int symbolLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(generationSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(generationSize, RlncPacketHeader.MaxGenerationSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(symbolLength, 1);
        GenerationSize = generationSize;
        SymbolLength = symbolLength;
        _packets = new byte[generationSize * symbolLength];
    }

    /// <summary>Source packets per generation, g.</summary>
    public int GenerationSize { get; }

    /// <summary>Bytes per source packet.</summary>
    public int SymbolLength { get; }

    /// <summary>Bytes of a coded row: g coefficients then the symbol.</summary>
    public int RowLength => GenerationSize + SymbolLength;

    /// <summary>Source packets added to the current generation.</summary>
    public int Count { get; private set; }

    /// <summary>True once the generation has all g packets.</summary>
    public bool IsFull => Count == GenerationSize;

    /// <summary>Starts a new generation.</summary>
    public void Reset() => Count = 0;

    /// <summary>Adds the next source packet of the generation (copied).</summary>
    /// <exception cref="ArgumentException">The packet is not <see cref="SymbolLength"/> bytes long.</exception>
    /// <exception cref="InvalidOperationException">The generation is already full.</exception>
    public void Add(ReadOnlySpan<byte> packet)
    {
        if (packet.Length != SymbolLength)
            throw new ArgumentException($"A source packet is {SymbolLength} bytes; this one is {packet.Length}.", nameof(packet));
        if (IsFull)
            throw new InvalidOperationException("The generation is full; call Reset to start the next one.");
        packet.CopyTo(_packets.AsSpan(Count * SymbolLength, SymbolLength));
        Count++;
    }

    /// <summary>
    /// Writes a coded row: random coefficients (never all zero) drawn from <paramref name="random"/> for the
    /// <see cref="Count"/> packets added so far, zero for the rest, and the matching combination.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="row"/> is not <see cref="RowLength"/> bytes long.</exception>
    /// <exception cref="InvalidOperationException">No packet was added yet.</exception>
    public void Encode(Span<byte> row, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        CheckRow(row);
        RandomCoefficients(row[..Count], random);
        row[Count..GenerationSize].Clear();
        Combine(row);
    }

    /// <summary>Writes the coded row for the coefficients already in the first g bytes of <paramref name="row"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="row"/> is not <see cref="RowLength"/> bytes long, or has a
    /// non-zero coefficient for a packet not added yet.</exception>
    /// <exception cref="InvalidOperationException">No packet was added yet.</exception>
    public void EncodeWithCoefficients(Span<byte> row)
    {
        CheckRow(row);
        if (row[Count..GenerationSize].ContainsAnyExcept((byte)0))
            throw new ArgumentException($"Only the first {Count} packets were added; their coefficients are the only non-zero ones allowed.", nameof(row));
        Combine(row);
    }

    /// <summary>Fills <paramref name="coefficients"/> with random bytes, redrawing an all-zero vector (which carries nothing).</summary>
    internal static void RandomCoefficients(Span<byte> coefficients, Random random)
    {
        do
            random.NextBytes(coefficients);
        while (!coefficients.ContainsAnyExcept((byte)0));
    }

    private void Combine(Span<byte> row)
    {
        var coefficients = row[..GenerationSize];
        var symbol = row[GenerationSize..];
        GaloisField.Multiply(Packet(0), symbol, coefficients[0]);
        for (var i = 1; i < Count; i++)
            GaloisField.MultiplyAdd(Packet(i), symbol, coefficients[i]);
    }

    private ReadOnlySpan<byte> Packet(int index) => _packets.AsSpan(index * SymbolLength, SymbolLength);

    private void CheckRow(Span<byte> row)
    {
        if (row.Length != RowLength)
            throw new ArgumentException($"A coded row is {RowLength} bytes; this one is {row.Length}.", nameof(row));
        if (Count == 0)
            throw new InvalidOperationException("No packet of the generation was added yet.");
    }
}
