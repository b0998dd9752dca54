namespace Overlay.Algorithms.Tests.Support;

/// <summary>One generated scenario of the tree property.</summary>
/// <param name="Kind">The algorithm.</param>
/// <param name="Bandwidths">Each node's total bandwidth in KB/s; node 0 is the source.</param>
/// <param name="JoinOrder">The order nodes 1.. join in.</param>
/// <param name="SpacingMilliseconds">Pause between joins (0: they overlap).</param>
/// <param name="Crash">A node that crashes once all have joined, or 0 for none.</param>
public sealed record TreeCase(TreeKind Kind, int[] Bandwidths, int[] JoinOrder, int SpacingMilliseconds, int Crash)
{
    public override string ToString() =>
        $"{Kind}, KB/s [{string.Join(",", Bandwidths)}], joins {string.Join(",", JoinOrder)}, every {SpacingMilliseconds} ms, crash {Crash}";
}
