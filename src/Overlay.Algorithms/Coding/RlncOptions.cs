namespace Overlay.Algorithms.Coding;

/// <summary>How an <see cref="RlncAlgorithm"/> codes.</summary>
public sealed class RlncOptions
{
    /// <summary>Source messages per generation, g (1–255). Every node of an application must use the same value.</summary>
    /// <remarks>Defaults to 32.</remarks>
    public int GenerationSize { get; set; } = 32;

    /// <summary>
    /// Extra coded packets per downstream and generation: the source sends g + this many, and a node that reaches
    /// full rank sends this many more, so an unlucky dependent combination or a lost path still leaves rank g.
    /// </summary>
    /// <remarks>Defaults to 2.</remarks>
    public int Redundancy { get; set; } = 2;

    /// <summary>Generations a node keeps state for; a newer one evicts the oldest, which bounds memory.</summary>
    /// <remarks>Defaults to 8.</remarks>
    public int GenerationWindow { get; set; } = 8;

    /// <summary>
    /// Seed of the coefficient draws, so a run repeats; null for a random seed. Give every node its own: nodes drawing
    /// the same sequence send correlated combinations.
    /// </summary>
    /// <remarks>Defaults to null.</remarks>
    public int? Seed { get; set; }

    internal RlncOptions Copy() => new() { GenerationSize = GenerationSize, Redundancy = Redundancy, GenerationWindow = GenerationWindow, Seed = Seed };
}
