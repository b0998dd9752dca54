using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Overlay.Algorithms.Coding;
using FsProperty = FsCheck.NUnit.PropertyAttribute;

namespace Overlay.Algorithms.Tests.Coding;

/// <summary>
/// The span operations, on every vector width this processor supports (not only the widest the public API picks),
/// against a byte-by-byte reference built on an independent multiplication.
/// </summary>
public class GaloisFieldRegionTests
{
    private static readonly GaloisFieldVectorWidth[] AllWidths =
        [GaloisFieldVectorWidth.Scalar, GaloisFieldVectorWidth.Vector128, GaloisFieldVectorWidth.Vector256, GaloisFieldVectorWidth.Vector512];

    private static readonly GaloisFieldVectorWidth[] SupportedWidths = Array.FindAll(AllWidths, GaloisFieldRegion.IsSupported);

    private static readonly byte[] Coefficients = [0, 1, 2, 3, 0x1D, 0x80, 0xFF];

    // Only the widths this processor runs become test cases (the scalar one always does).
    private static readonly int[] SupportedBits = Array.ConvertAll(SupportedWidths, width => (int)width);

    /// <summary>One region operation's inputs: a length, a coefficient, the data's seed and the spans' misalignment.</summary>
    public sealed record RegionCase(int Length, byte Coefficient, int Seed, int Offset);

    /// <summary>Lengths mostly tiny (all tails) or anything up to 10,000; coefficients often 0 or 1.</summary>
    public static Arbitrary<RegionCase> Cases() =>
        (from length in Gen.OneOf(Gen.Choose(0, 70), Gen.Choose(0, 10_000), Gen.Elements(1024, 5 * 1024, 10_000))
         from coefficient in Gen.OneOf(Gen.Elements<byte>(0, 1), Gen.Choose(0, 255).Select(c => (byte)c))
         from seed in Gen.Choose(0, int.MaxValue - 1)
         from offset in Gen.Choose(0, 63)
         select new RegionCase(length, coefficient, seed, offset)).ToArbitrary();

    [Test]
    public void Widest_IsSupportedAndVectorisedOnX64WithAvx2()
    {
        TestContext.Out.WriteLine($"Supported: {string.Join(", ", SupportedWidths)}; widest: {GaloisFieldRegion.Widest}");
        Assert.That(GaloisFieldRegion.IsSupported(GaloisFieldRegion.Widest), Is.True);
        if (System.Runtime.Intrinsics.X86.Avx2.IsSupported)
            Assert.That(GaloisFieldRegion.Widest, Is.GreaterThanOrEqualTo(GaloisFieldVectorWidth.Vector256));
    }

    [FsProperty(MaxTest = 150, Arbitrary = [typeof(GaloisFieldRegionTests)])]
    public bool MultiplyAdd_EveryWidth_MatchesReference(RegionCase region)
    {
        var (source, initial) = Data(region);
        var expected = (byte[])initial.Clone();
        var window = Window(region);
        for (var i = 0; i < region.Length; i++)
            expected[window.Start.Value + i] ^= GaloisFieldTests.ReferenceMultiply(region.Coefficient, source[region.Offset + i]);

        var ok = true;
        foreach (var width in SupportedWidths)
        {
            var actual = (byte[])initial.Clone();
            GaloisFieldRegion.MultiplyAdd(source.AsSpan(region.Offset, region.Length), actual.AsSpan(window), region.Coefficient, width);
            ok &= Report(actual.AsSpan().SequenceEqual(expected), nameof(GaloisField.MultiplyAdd), width, region);
        }
        var viaPublic = (byte[])initial.Clone();
        GaloisField.MultiplyAdd(source.AsSpan(region.Offset, region.Length), viaPublic.AsSpan(window), region.Coefficient);
        return ok & Report(viaPublic.AsSpan().SequenceEqual(expected), "public MultiplyAdd", GaloisFieldRegion.Widest, region);
    }

    [FsProperty(MaxTest = 150, Arbitrary = [typeof(GaloisFieldRegionTests)])]
    public bool Multiply_EveryWidth_MatchesReference_IntoOtherSpanAndInPlace(RegionCase region)
    {
        var (source, initial) = Data(region);
        var expected = (byte[])initial.Clone();
        var window = Window(region);
        for (var i = 0; i < region.Length; i++)
            expected[window.Start.Value + i] = GaloisFieldTests.ReferenceMultiply(region.Coefficient, source[region.Offset + i]);
        var expectedInPlace = (byte[])source.Clone();
        for (var i = region.Offset; i < region.Offset + region.Length; i++)
            expectedInPlace[i] = GaloisFieldTests.ReferenceMultiply(region.Coefficient, source[i]);

        var ok = true;
        foreach (var width in SupportedWidths)
        {
            var actual = (byte[])initial.Clone();
            GaloisFieldRegion.Multiply(source.AsSpan(region.Offset, region.Length), actual.AsSpan(window), region.Coefficient, width);
            ok &= Report(actual.AsSpan().SequenceEqual(expected), nameof(GaloisField.Multiply), width, region);

            var inPlace = (byte[])source.Clone();
            var span = inPlace.AsSpan(region.Offset, region.Length);
            GaloisFieldRegion.Multiply(span, span, region.Coefficient, width);
            ok &= Report(inPlace.AsSpan().SequenceEqual(expectedInPlace), "Multiply in place", width, region);
        }
        var viaPublic = (byte[])source.Clone();
        var publicSpan = viaPublic.AsSpan(region.Offset, region.Length);
        GaloisField.Multiply(publicSpan, publicSpan, region.Coefficient);
        return ok & Report(viaPublic.AsSpan().SequenceEqual(expectedInPlace), "public Multiply in place", GaloisFieldRegion.Widest, region);
    }

    [FsProperty(MaxTest = 150, Arbitrary = [typeof(GaloisFieldRegionTests)])]
    public bool Add_EveryWidth_MatchesReference(RegionCase region)
    {
        var (source, initial) = Data(region);
        var expected = (byte[])initial.Clone();
        var window = Window(region);
        for (var i = 0; i < region.Length; i++)
            expected[window.Start.Value + i] ^= source[region.Offset + i];

        var ok = true;
        foreach (var width in SupportedWidths)
        {
            var actual = (byte[])initial.Clone();
            GaloisFieldRegion.Add(source.AsSpan(region.Offset, region.Length), actual.AsSpan(window), width);
            ok &= Report(actual.AsSpan().SequenceEqual(expected), nameof(GaloisField.Add), width, region);
        }
        var viaPublic = (byte[])initial.Clone();
        GaloisField.Add(source.AsSpan(region.Offset, region.Length), viaPublic.AsSpan(window));
        return ok & Report(viaPublic.AsSpan().SequenceEqual(expected), "public Add", GaloisFieldRegion.Widest, region);
    }

    // Every length from 0 to 300 crosses each width's vector, unrolled-pair and tail boundaries; the property above
    // samples them, this covers them all for a few coefficients.
    // NUnit needs public test methods, and the width type is internal: the cases pass its value in bits.
    [TestCaseSource(nameof(SupportedBits))]
    public void MultiplyAdd_AllShortLengths_MatchReference(int bits)
    {
        var width = (GaloisFieldVectorWidth)bits;
        var random = new Random(1);
        for (var length = 0; length <= 300; length++)
        {
            foreach (var coefficient in Coefficients)
            {
                var source = new byte[length];
                var destination = new byte[length];
                random.NextBytes(source);
                random.NextBytes(destination);
                var expected = (byte[])destination.Clone();
                for (var i = 0; i < length; i++)
                    expected[i] ^= GaloisFieldTests.ReferenceMultiply(coefficient, source[i]);

                GaloisFieldRegion.MultiplyAdd(source, destination, coefficient, width);

                Assert.That(destination, Is.EqualTo(expected), $"length {length}, coefficient {coefficient}");
            }
        }
    }

    // NUnit needs public test methods, and the width type is internal: the cases pass its value in bits.
    [TestCaseSource(nameof(SupportedBits))]
    public void RegionOperations_MismatchedLengths_Throw(int bits)
    {
        var width = (GaloisFieldVectorWidth)bits;
        var source = new byte[100];
        var destination = new byte[99];
        Assert.Throws<ArgumentException>(() => GaloisFieldRegion.Add(source, destination, width));
        Assert.Throws<ArgumentException>(() => GaloisFieldRegion.MultiplyAdd(source, destination, 5, width));
        Assert.Throws<ArgumentException>(() => GaloisFieldRegion.Multiply(source, destination, 5, width));
        Assert.Throws<ArgumentException>(() => GaloisFieldRegion.MultiplyAdd(source, destination, 0, width), "coefficient 0 still checks");
    }

    [Test]
    public void PublicRegionOperations_MismatchedLengths_Throw()
    {
        var source = new byte[64];
        var destination = new byte[65];
        Assert.Throws<ArgumentException>(() => GaloisField.Add(source, destination));
        Assert.Throws<ArgumentException>(() => GaloisField.MultiplyAdd(source, destination, 5));
        Assert.Throws<ArgumentException>(() => GaloisField.Multiply(source, destination, 1));
    }

    [Test]
    public void RegionOperations_AfterWarmUp_AllocateNothing()
    {
        var source = new byte[5 * 1024 + 7];
        var destination = new byte[source.Length];
        new Random(2).NextBytes(source);
        RunAll(source, destination);

        var before = GC.GetAllocatedBytesForCurrentThread();
        RunAll(source, destination);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(allocated, Is.Zero);
    }

    private static void RunAll(byte[] source, byte[] destination)
    {
        foreach (var width in SupportedWidths)
        {
            for (var coefficient = 0; coefficient < 256; coefficient += 17)
            {
                GaloisFieldRegion.MultiplyAdd(source, destination, (byte)coefficient, width);
                GaloisFieldRegion.Multiply(source, destination, (byte)coefficient, width);
            }
            GaloisFieldRegion.Add(source, destination, width);
        }
    }

    // Source and destination arrays carry guard bytes around the spans (the offset before, 64 bytes after), and
    // the destination window is misaligned differently from the source, so a write outside the span is caught.
    private static (byte[] Source, byte[] Destination) Data(RegionCase region)
    {
        var random = new Random(region.Seed);
        var source = new byte[region.Offset + region.Length + 64];
        var destination = new byte[Window(region).End.Value + 64];
        random.NextBytes(source);
        random.NextBytes(destination);
        return (source, destination);
    }

    private static Range Window(RegionCase region)
    {
        var start = (region.Offset * 7) % 64;
        return new Range(start, start + region.Length);
    }

    private static bool Report(bool ok, string operation, GaloisFieldVectorWidth width, RegionCase region)
    {
        if (!ok)
            TestContext.Out.WriteLine($"{operation} with {width} differs from the reference for {region}");
        return ok;
    }
}
