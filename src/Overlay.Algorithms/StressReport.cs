namespace Overlay.Algorithms;

/// <summary>
/// A node's degree and available last-mile bandwidth, as exchanged between tree neighbours. Node stress is degree
/// divided by bandwidth (the paper's definition); an unlimited bandwidth has no stress.
/// </summary>
/// <param name="Degree">Parent (0 or 1) plus children in the application's tree.</param>
/// <param name="Bandwidth">Available last-mile bandwidth in bytes per second; <see cref="double.PositiveInfinity"/> when unlimited.</param>
public readonly record struct StressReport(int Degree, double Bandwidth)
{
    /// <summary>Degree per byte per second.</summary>
    public double Stress => Of(Degree, Bandwidth);

    /// <summary>The stress the node would have after accepting one more child.</summary>
    public double StressIfAccepted => Of(Degree + 1, Bandwidth);

    /// <summary><paramref name="degree"/> / <paramref name="bandwidth"/>, or zero for an unlimited bandwidth.</summary>
    public static double Of(int degree, double bandwidth) => double.IsPositiveInfinity(bandwidth) ? 0 : degree / bandwidth;
}
