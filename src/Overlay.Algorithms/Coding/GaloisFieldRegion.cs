using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Overlay.Algorithms.Coding;

/// <summary>
/// GF(2^8) region operations with a chosen vector width: the machinery behind <see cref="GaloisField"/>'s span
/// overloads, kept separate so tests and benchmarks can run every path this CPU supports, not only the widest.
/// </summary>
/// <remarks>
/// Multiplication by a constant c uses the split-nibble technique of ISA-L, Jerasure and klauspost/reedsolomon:
/// c·x = c·(x &amp; 0x0F) ⊕ c·(x &amp; 0xF0) because multiplication distributes over XOR, and each half has only 16
/// possible values, so both products come from 16-byte tables looked up with one byte shuffle per vector
/// (<c>pshufb</c> / <c>vpshufb</c> / <c>tbl</c>). The two tables for every coefficient are built once (256 × 32 bytes)
/// so a call allocates nothing.
/// </remarks>
internal static class GaloisFieldRegion
{
    // NibbleProducts[32c + i] = c·i and NibbleProducts[32c + 16 + i] = c·(i << 4), for i in 0..15.
    private static readonly byte[] NibbleProducts = BuildNibbleProducts();

    /// <summary>The width the public <see cref="GaloisField"/> span operations use on this machine.</summary>
    internal static readonly GaloisFieldVectorWidth Widest = SelectWidest();

    /// <summary>Whether <paramref name="width"/> can run on this machine.</summary>
    internal static bool IsSupported(GaloisFieldVectorWidth width) => width switch
    {
        GaloisFieldVectorWidth.Scalar => true,
        GaloisFieldVectorWidth.Vector128 => Ssse3.IsSupported || AdvSimd.Arm64.IsSupported,
        GaloisFieldVectorWidth.Vector256 => Avx2.IsSupported,
        GaloisFieldVectorWidth.Vector512 => Avx512BW.IsSupported,
        _ => false,
    };

    /// <summary>dst[i] ^= src[i], with vectors of at most <paramref name="width"/> bits.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    /// <exception cref="PlatformNotSupportedException"><paramref name="width"/> is not supported here.</exception>
    internal static void Add(ReadOnlySpan<byte> source, Span<byte> destination, GaloisFieldVectorWidth width)
    {
        Check(source, destination, width);
        ref var s = ref MemoryMarshal.GetReference(source);
        ref var d = ref MemoryMarshal.GetReference(destination);
        var length = (nuint)source.Length;
        nuint done = 0;
        if (width == GaloisFieldVectorWidth.Vector512)
        {
            for (; done + 64 <= length; done += 64)
                (Vector512.LoadUnsafe(ref d, done) ^ Vector512.LoadUnsafe(ref s, done)).StoreUnsafe(ref d, done);
        }
        if (width >= GaloisFieldVectorWidth.Vector256)
        {
            for (; done + 32 <= length; done += 32)
                (Vector256.LoadUnsafe(ref d, done) ^ Vector256.LoadUnsafe(ref s, done)).StoreUnsafe(ref d, done);
        }
        if (width >= GaloisFieldVectorWidth.Vector128)
        {
            for (; done + 16 <= length; done += 16)
                (Vector128.LoadUnsafe(ref d, done) ^ Vector128.LoadUnsafe(ref s, done)).StoreUnsafe(ref d, done);
        }
        AddScalar(source[(int)done..], destination[(int)done..]);
    }

    /// <summary>dst[i] ^= <paramref name="coefficient"/> · src[i], with vectors of at most <paramref name="width"/> bits.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    /// <exception cref="PlatformNotSupportedException"><paramref name="width"/> is not supported here.</exception>
    internal static void MultiplyAdd(ReadOnlySpan<byte> source, Span<byte> destination, byte coefficient, GaloisFieldVectorWidth width)
    {
        Check(source, destination, width);
        if (width == GaloisFieldVectorWidth.Scalar)
            MultiplyAddScalar(source, destination, coefficient);
        else if (coefficient == 1)
            Add(source, destination, width);
        else if (coefficient != 0)
            MultiplyVectors<Accumulate>(source, destination, coefficient, width);
    }

    /// <summary>dst[i] = <paramref name="coefficient"/> · src[i] (the spans may be the same), with vectors of at most <paramref name="width"/> bits.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    /// <exception cref="PlatformNotSupportedException"><paramref name="width"/> is not supported here.</exception>
    internal static void Multiply(ReadOnlySpan<byte> source, Span<byte> destination, byte coefficient, GaloisFieldVectorWidth width)
    {
        Check(source, destination, width);
        if (width == GaloisFieldVectorWidth.Scalar)
            MultiplyScalar(source, destination, coefficient);
        else if (coefficient == 0)
            destination.Clear();
        else if (coefficient == 1)
            source.CopyTo(destination);
        else
            MultiplyVectors<Overwrite>(source, destination, coefficient, width);
    }

    private static void Check(ReadOnlySpan<byte> source, Span<byte> destination, GaloisFieldVectorWidth width)
    {
        if (source.Length != destination.Length)
            throw new ArgumentException($"Source ({source.Length} bytes) and destination ({destination.Length} bytes) differ in length.", nameof(destination));
        if (!IsSupported(width))
            throw new PlatformNotSupportedException($"GF(2^8) region operations with {width} are not supported on this processor.");
    }

    // Each width handles whole vectors from `done` on and returns how far it got; the next narrower width, and
    // finally the scalar loop, finish the rest, so a 5,000-byte region takes 78 AVX-512 vectors, one AVX2 vector and
    // eight single bytes instead of 40 single bytes.
    private static void MultiplyVectors<TUpdate>(ReadOnlySpan<byte> source, Span<byte> destination, byte coefficient, GaloisFieldVectorWidth width)
        where TUpdate : struct, IDestinationUpdate
    {
        ref var s = ref MemoryMarshal.GetReference(source);
        ref var d = ref MemoryMarshal.GetReference(destination);
        ref var tables = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(NibbleProducts), coefficient * 32);
        var low = Vector128.LoadUnsafe(ref tables);
        var high = Vector128.LoadUnsafe(ref tables, 16);
        var length = (nuint)source.Length;
        nuint done = 0;
        if (width == GaloisFieldVectorWidth.Vector512)
            done = Multiply512<TUpdate>(ref s, ref d, done, length, low, high);
        if (width >= GaloisFieldVectorWidth.Vector256)
            done = Multiply256<TUpdate>(ref s, ref d, done, length, low, high);
        done = Multiply128<TUpdate>(ref s, ref d, done, length, low, high);
        if (TUpdate.Accumulates)
            MultiplyAddScalar(source[(int)done..], destination[(int)done..], coefficient);
        else
            MultiplyScalar(source[(int)done..], destination[(int)done..], coefficient);
    }

    // Two independent vectors per iteration so the shuffles of one overlap the loads and stores of the other.
    private static nuint Multiply512<TUpdate>(ref byte s, ref byte d, nuint done, nuint length, Vector128<byte> low128, Vector128<byte> high128)
        where TUpdate : struct, IDestinationUpdate
    {
        // vpshufb looks up within each 128-bit lane, so every lane needs its own copy of the table.
        var low256 = Vector256.Create(low128, low128);
        var high256 = Vector256.Create(high128, high128);
        var low = Vector512.Create(low256, low256);
        var high = Vector512.Create(high256, high256);
        var mask = Vector512.Create((byte)0x0F);
        for (; done + 128 <= length; done += 128)
        {
            var a = Vector512.LoadUnsafe(ref s, done);
            var b = Vector512.LoadUnsafe(ref s, done + 64);
            a = Avx512BW.Shuffle(low, a & mask) ^ Avx512BW.Shuffle(high, Vector512.ShiftRightLogical(a.AsUInt16(), 4).AsByte() & mask);
            b = Avx512BW.Shuffle(low, b & mask) ^ Avx512BW.Shuffle(high, Vector512.ShiftRightLogical(b.AsUInt16(), 4).AsByte() & mask);
            if (TUpdate.Accumulates)
            {
                a ^= Vector512.LoadUnsafe(ref d, done);
                b ^= Vector512.LoadUnsafe(ref d, done + 64);
            }
            a.StoreUnsafe(ref d, done);
            b.StoreUnsafe(ref d, done + 64);
        }
        if (done + 64 <= length)
        {
            var a = Vector512.LoadUnsafe(ref s, done);
            a = Avx512BW.Shuffle(low, a & mask) ^ Avx512BW.Shuffle(high, Vector512.ShiftRightLogical(a.AsUInt16(), 4).AsByte() & mask);
            if (TUpdate.Accumulates)
                a ^= Vector512.LoadUnsafe(ref d, done);
            a.StoreUnsafe(ref d, done);
            done += 64;
        }
        return done;
    }

    private static nuint Multiply256<TUpdate>(ref byte s, ref byte d, nuint done, nuint length, Vector128<byte> low128, Vector128<byte> high128)
        where TUpdate : struct, IDestinationUpdate
    {
        var low = Vector256.Create(low128, low128);
        var high = Vector256.Create(high128, high128);
        var mask = Vector256.Create((byte)0x0F);
        for (; done + 64 <= length; done += 64)
        {
            var a = Vector256.LoadUnsafe(ref s, done);
            var b = Vector256.LoadUnsafe(ref s, done + 32);
            a = Avx2.Shuffle(low, a & mask) ^ Avx2.Shuffle(high, Vector256.ShiftRightLogical(a.AsUInt16(), 4).AsByte() & mask);
            b = Avx2.Shuffle(low, b & mask) ^ Avx2.Shuffle(high, Vector256.ShiftRightLogical(b.AsUInt16(), 4).AsByte() & mask);
            if (TUpdate.Accumulates)
            {
                a ^= Vector256.LoadUnsafe(ref d, done);
                b ^= Vector256.LoadUnsafe(ref d, done + 32);
            }
            a.StoreUnsafe(ref d, done);
            b.StoreUnsafe(ref d, done + 32);
        }
        if (done + 32 <= length)
        {
            var a = Vector256.LoadUnsafe(ref s, done);
            a = Avx2.Shuffle(low, a & mask) ^ Avx2.Shuffle(high, Vector256.ShiftRightLogical(a.AsUInt16(), 4).AsByte() & mask);
            if (TUpdate.Accumulates)
                a ^= Vector256.LoadUnsafe(ref d, done);
            a.StoreUnsafe(ref d, done);
            done += 32;
        }
        return done;
    }

    private static nuint Multiply128<TUpdate>(ref byte s, ref byte d, nuint done, nuint length, Vector128<byte> low, Vector128<byte> high)
        where TUpdate : struct, IDestinationUpdate
    {
        var mask = Vector128.Create((byte)0x0F);
        for (; done + 32 <= length; done += 32)
        {
            var a = Vector128.LoadUnsafe(ref s, done);
            var b = Vector128.LoadUnsafe(ref s, done + 16);
            a = Lookup(low, a & mask) ^ Lookup(high, Vector128.ShiftRightLogical(a.AsUInt16(), 4).AsByte() & mask);
            b = Lookup(low, b & mask) ^ Lookup(high, Vector128.ShiftRightLogical(b.AsUInt16(), 4).AsByte() & mask);
            if (TUpdate.Accumulates)
            {
                a ^= Vector128.LoadUnsafe(ref d, done);
                b ^= Vector128.LoadUnsafe(ref d, done + 16);
            }
            a.StoreUnsafe(ref d, done);
            b.StoreUnsafe(ref d, done + 16);
        }
        if (done + 16 <= length)
        {
            var a = Vector128.LoadUnsafe(ref s, done);
            a = Lookup(low, a & mask) ^ Lookup(high, Vector128.ShiftRightLogical(a.AsUInt16(), 4).AsByte() & mask);
            if (TUpdate.Accumulates)
                a ^= Vector128.LoadUnsafe(ref d, done);
            a.StoreUnsafe(ref d, done);
            done += 16;
        }
        return done;
    }

    // Both instructions give table[index] for indices 0..15, the only ones the nibble masks produce.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Lookup(Vector128<byte> table, Vector128<byte> indices) =>
        Ssse3.IsSupported ? Ssse3.Shuffle(table, indices) : AdvSimd.Arm64.VectorTableLookup(table, indices);

    private static void AddScalar(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        for (var i = 0; i < source.Length; i++)
            destination[i] ^= source[i];
    }

    private static void MultiplyAddScalar(ReadOnlySpan<byte> source, Span<byte> destination, byte coefficient)
    {
        if (coefficient == 0)
            return;
        var row = GaloisField.ProductRow(coefficient);
        for (var i = 0; i < source.Length; i++)
            destination[i] ^= row[source[i]];
    }

    private static void MultiplyScalar(ReadOnlySpan<byte> source, Span<byte> destination, byte coefficient)
    {
        var row = GaloisField.ProductRow(coefficient);
        for (var i = 0; i < source.Length; i++)
            destination[i] = row[source[i]];
    }

    private static GaloisFieldVectorWidth SelectWidest()
    {
        // Vector512.IsHardwareAccelerated is false where the runtime judges 512-bit code slower (or the user capped
        // the width with DOTNET_PreferredVectorBitWidth); respect that rather than only the instruction set.
        if (Avx512BW.IsSupported && Vector512.IsHardwareAccelerated)
            return GaloisFieldVectorWidth.Vector512;
        if (Avx2.IsSupported)
            return GaloisFieldVectorWidth.Vector256;
        return IsSupported(GaloisFieldVectorWidth.Vector128) ? GaloisFieldVectorWidth.Vector128 : GaloisFieldVectorWidth.Scalar;
    }

    private static byte[] BuildNibbleProducts()
    {
        var tables = new byte[256 * 32];
        for (var c = 0; c < 256; c++)
        {
            for (var i = 0; i < 16; i++)
            {
                tables[(c * 32) + i] = GaloisField.Multiply((byte)c, (byte)i);
                tables[(c * 32) + 16 + i] = GaloisField.Multiply((byte)c, (byte)(i << 4));
            }
        }
        return tables;
    }

    // Selects, at JIT time, whether a multiplied vector is XORed into the destination or replaces it, so both
    // operations share one loop per width without a branch inside it.
    private interface IDestinationUpdate
    {
        static abstract bool Accumulates { get; }
    }

    private readonly struct Accumulate : IDestinationUpdate
    {
        public static bool Accumulates => true;
    }

    private readonly struct Overwrite : IDestinationUpdate
    {
        public static bool Accumulates => false;
    }
}
