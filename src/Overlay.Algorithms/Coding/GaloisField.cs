namespace Overlay.Algorithms.Coding;

/// <summary>
/// Arithmetic in GF(2^8) with the irreducible polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11D) and generator 2,
/// the field used by Reed–Solomon and most network-coding libraries. Addition is XOR; single bytes multiply through a
/// 64 KiB product table and divide through log/exp tables. The region operations over byte spans use the widest
/// SIMD instructions the processor has (AVX-512BW, AVX2, SSSE3 or Arm64 AdvSimd; split-nibble table lookups, see
/// <c>GaloisFieldRegion</c>) and fall back to the product table elsewhere. Nothing here allocates after the tables
/// are built.
/// </summary>
public static class GaloisField
{
    /// <summary>The irreducible polynomial that defines the field, with its x^8 bit.</summary>
    public const int Polynomial = 0x11D;

    // Exp is doubled so that Exp[Log[a] + Log[b]] needs no modulo.
    private static readonly byte[] Exp = new byte[512];
    private static readonly byte[] Log = new byte[256];
    // Products[c * 256 + x] = c · x: one row per coefficient, so a region operation reads a single row.
    private static readonly byte[] Products = new byte[256 * 256];

#pragma warning disable CA1810 // the tables depend on each other; one constructor fills them in order
    static GaloisField()
#pragma warning restore CA1810
    {
        var x = 1;
        for (var i = 0; i < 255; i++)
        {
            Exp[i] = (byte)x;
            Log[x] = (byte)i;
            x <<= 1;
            if ((x & 0x100) != 0)
                x ^= Polynomial;
        }
        for (var i = 255; i < Exp.Length; i++)
            Exp[i] = Exp[i - 255];
        for (var a = 0; a < 256; a++)
            for (var b = 0; b < 256; b++)
                Products[(a << 8) | b] = MultiplySlow((byte)a, (byte)b);
    }

    /// <summary>Returns <paramref name="a"/> + <paramref name="b"/> (and a − b, the same thing): XOR.</summary>
    public static byte Add(byte a, byte b) => (byte)(a ^ b);

    /// <summary>Returns <paramref name="a"/> · <paramref name="b"/>.</summary>
    public static byte Multiply(byte a, byte b) => Products[(a << 8) | b];

    /// <summary>Returns the multiplicative inverse of a non-zero <paramref name="a"/>.</summary>
    /// <exception cref="DivideByZeroException"><paramref name="a"/> is zero.</exception>
    public static byte Inverse(byte a)
    {
        if (a == 0)
            throw new DivideByZeroException("Zero has no inverse in GF(2^8).");
        return Exp[255 - Log[a]];
    }

    /// <summary>Returns <paramref name="a"/> / <paramref name="b"/> for a non-zero <paramref name="b"/>.</summary>
    /// <exception cref="DivideByZeroException"><paramref name="b"/> is zero.</exception>
    public static byte Divide(byte a, byte b)
    {
        if (b == 0)
            throw new DivideByZeroException("Division by zero in GF(2^8).");
        return a == 0 ? (byte)0 : Exp[Log[a] + 255 - Log[b]];
    }

    /// <summary>Adds <paramref name="source"/> into <paramref name="destination"/> byte by byte: dst ^= src.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void Add(ReadOnlySpan<byte> source, Span<byte> destination) =>
        GaloisFieldRegion.Add(source, destination, GaloisFieldRegion.Widest);

    /// <summary>Multiply-accumulate over a region: dst[i] ^= <paramref name="coefficient"/> · src[i].</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void MultiplyAdd(ReadOnlySpan<byte> source, Span<byte> destination, byte coefficient) =>
        GaloisFieldRegion.MultiplyAdd(source, destination, coefficient, GaloisFieldRegion.Widest);

    /// <summary>Multiplies a region by a constant: dst[i] = <paramref name="coefficient"/> · src[i]. The spans may be the same.</summary>
    /// <remarks>Spans that overlap only partly give unspecified results: vectors read ahead of the bytes written.</remarks>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void Multiply(ReadOnlySpan<byte> source, Span<byte> destination, byte coefficient) =>
        GaloisFieldRegion.Multiply(source, destination, coefficient, GaloisFieldRegion.Widest);

    /// <summary>The 256 products <paramref name="coefficient"/> · x, indexed by x: the scalar region loops' table.</summary>
    internal static ReadOnlySpan<byte> ProductRow(byte coefficient) => Products.AsSpan(coefficient << 8, 256);

    // Carry-less "Russian peasant" multiplication: only used to fill the table.
    private static byte MultiplySlow(byte a, byte b)
    {
        int x = a, y = b, product = 0;
        while (y != 0)
        {
            if ((y & 1) != 0)
                product ^= x;
            x <<= 1;
            if ((x & 0x100) != 0)
                x ^= Polynomial;
            y >>= 1;
        }
        return (byte)product;
    }
}
