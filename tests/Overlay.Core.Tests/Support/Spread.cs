using FsCheck;
using FsCheck.Fluent;

namespace Overlay.Core.Tests.Support;

/// <summary>
/// Generators that cover a whole intended range whatever FsCheck's test size: FsCheck sizes its default integers by
/// the test size (and splits it across arguments), so a test written for 64 KB messages would otherwise see 13 bytes.
/// </summary>
internal static class Spread
{
    /// <summary>
    /// Integers from <paramref name="min"/> to <paramref name="max"/> (inclusive), uniform over the powers of two
    /// between them: as many 1–2 byte values as 1–2 MB ones, so both small and large cases come up every run.
    /// </summary>
    public static Gen<int> LogUniform(int min, int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(min);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, min);
        var low = Log2(Math.Max(1, min));
        var high = Log2(Math.Max(1, max));
        return Gen.Choose(low, high).SelectMany(k =>
        {
            var from = Math.Max(min, k == low ? min : 1 << k);
            var to = k >= 30 ? max : Math.Min(max, (1 << (k + 1)) - 1);
            return Gen.Choose(from, to);
        });
    }

    /// <summary>Any 32-bit value, every bit pattern equally likely.</summary>
    public static Gen<uint> AnyUInt32 { get; } =
        Gen.Zip(Gen.Choose(0, ushort.MaxValue), Gen.Choose(0, ushort.MaxValue), (high, low) => ((uint)high << 16) | (uint)low);

    private static int Log2(int value) => 31 - int.LeadingZeroCount(value);
}
