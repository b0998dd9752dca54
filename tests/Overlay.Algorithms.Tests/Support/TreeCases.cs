using FsCheck;
using FsCheck.Fluent;

namespace Overlay.Algorithms.Tests.Support;

/// <summary>Generates <see cref="TreeCase"/>s: 3–8 nodes of 50–500 KB/s, any algorithm, join order, spacing and crash.</summary>
public static class TreeCases
{
    public static Arbitrary<TreeCase> Cases() =>
        (from size in Gen.Choose(3, 8)
         from kind in Gen.Elements(Enum.GetValues<TreeKind>())
         from bandwidths in Gen.ArrayOf(Gen.Choose(50, 500), size)
         from order in Gen.Shuffle(Enumerable.Range(1, size - 1))
         from spacing in Gen.Elements(0, 20, 100, 300)
         from crash in Gen.Choose(0, size - 1)
         select new TreeCase(kind, bandwidths, order, spacing, crash)).ToArbitrary();
}
