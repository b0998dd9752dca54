using NUnit.Framework;
using Overlay.Algorithms.Coding;
using FsProperty = FsCheck.NUnit.PropertyAttribute;

namespace Overlay.Algorithms.Tests.Coding;

/// <summary>The field laws of GF(2^8) and the single-byte operations, checked against an independent reference.</summary>
public class GaloisFieldTests
{
    [FsProperty(MaxTest = 500)]
    public bool Add_IsAssociative(byte a, byte b, byte c) =>
        GaloisField.Add(GaloisField.Add(a, b), c) == GaloisField.Add(a, GaloisField.Add(b, c));

    [FsProperty(MaxTest = 500)]
    public bool Add_IsCommutative(byte a, byte b) => GaloisField.Add(a, b) == GaloisField.Add(b, a);

    [FsProperty(MaxTest = 500)]
    public bool Add_ZeroIsIdentityAndEveryElementIsItsOwnNegative(byte a) =>
        GaloisField.Add(a, 0) == a && GaloisField.Add(0, a) == a && GaloisField.Add(a, a) == 0;

    [FsProperty(MaxTest = 500)]
    public bool Multiply_IsAssociative(byte a, byte b, byte c) =>
        GaloisField.Multiply(GaloisField.Multiply(a, b), c) == GaloisField.Multiply(a, GaloisField.Multiply(b, c));

    [FsProperty(MaxTest = 500)]
    public bool Multiply_IsCommutative(byte a, byte b) => GaloisField.Multiply(a, b) == GaloisField.Multiply(b, a);

    [FsProperty(MaxTest = 500)]
    public bool Multiply_DistributesOverAdd(byte a, byte b, byte c) =>
        GaloisField.Multiply(a, GaloisField.Add(b, c)) == GaloisField.Add(GaloisField.Multiply(a, b), GaloisField.Multiply(a, c));

    [FsProperty(MaxTest = 500)]
    public bool Multiply_OneIsIdentityAndZeroAnnihilates(byte a) =>
        GaloisField.Multiply(a, 1) == a && GaloisField.Multiply(1, a) == a
        && GaloisField.Multiply(a, 0) == 0 && GaloisField.Multiply(0, a) == 0;

    [FsProperty(MaxTest = 500)]
    public bool Divide_UndoesMultiply_ForNonZeroDivisor(byte a, byte b)
    {
        if (b == 0)
            return true;
        var quotient = GaloisField.Divide(a, b);
        return GaloisField.Divide(GaloisField.Multiply(a, b), b) == a
            && GaloisField.Multiply(quotient, b) == a
            && quotient == GaloisField.Multiply(a, GaloisField.Inverse(b));
    }

    [Test]
    public void Inverse_EveryNonZeroElement_ProductIsOne()
    {
        for (var a = 1; a < 256; a++)
        {
            var inverse = GaloisField.Inverse((byte)a);
            Assert.That(GaloisField.Multiply((byte)a, inverse), Is.EqualTo(1), $"a = {a}, a⁻¹ = {inverse}");
        }
    }

    [Test]
    public void Inverse_Zero_Throws() => Assert.Throws<DivideByZeroException>(() => GaloisField.Inverse(0));

    [Test]
    public void Divide_ByZero_Throws() => Assert.Throws<DivideByZeroException>(() => GaloisField.Divide(7, 0));

    [Test]
    public void Multiply_AllPairs_AgreeWithCarrylessReference()
    {
        var mismatches = 0;
        for (var a = 0; a < 256; a++)
        {
            for (var b = 0; b < 256; b++)
            {
                if (GaloisField.Multiply((byte)a, (byte)b) != ReferenceMultiply((byte)a, (byte)b))
                    mismatches++;
            }
        }
        Assert.That(mismatches, Is.Zero);
    }

    [Test]
    public void Two_GeneratesEveryNonZeroElement()
    {
        var seen = new HashSet<byte>();
        byte x = 1;
        for (var i = 0; i < 255; i++)
        {
            seen.Add(x);
            x = GaloisField.Multiply(x, 2);
        }
        Assert.That(seen, Has.Count.EqualTo(255));
        Assert.That(seen, Does.Not.Contain((byte)0));
        Assert.That(x, Is.EqualTo(1), "2^255 must be 1");
    }

    // Written independently of the implementation: the full 15-bit carry-less product, then polynomial long
    // division by x^8 + x^4 + x^3 + x^2 + 1.
    internal static byte ReferenceMultiply(byte a, byte b)
    {
        var product = 0;
        for (var bit = 0; bit < 8; bit++)
        {
            if (((b >> bit) & 1) != 0)
                product ^= a << bit;
        }
        for (var bit = 14; bit >= 8; bit--)
        {
            if (((product >> bit) & 1) != 0)
                product ^= 0x11D << (bit - 8);
        }
        return (byte)product;
    }
}
