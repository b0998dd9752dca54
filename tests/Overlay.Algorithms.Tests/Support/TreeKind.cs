namespace Overlay.Algorithms.Tests.Support;

/// <summary>The three tree-construction algorithms under comparison.</summary>
public enum TreeKind
{
    NodeStressAware,
    Random,
    AllUnicast,
}
