namespace Overlay.Algorithms;

/// <summary>A thread-safe picture of one node's place in an application's tree, from <see cref="SessionAlgorithm.GetSnapshot"/>.</summary>
/// <param name="ApplicationId">The application.</param>
/// <param name="Node">The node this picture is of.</param>
/// <param name="Source">The session's source, or <see cref="NodeId.None"/> while unknown.</param>
/// <param name="IsSource">True on the source.</param>
/// <param name="Parent">The parent, or <see cref="NodeId.None"/> (source, or not attached).</param>
/// <param name="Children">The children.</param>
/// <param name="Path">The path from the source down to this node; empty while the node is not connected to the source.</param>
/// <param name="Degree">Parent plus children.</param>
/// <param name="Bandwidth">The bandwidth the node's stress is computed with, in bytes per second.</param>
/// <param name="MessagesReceived">Data messages received from parents so far.</param>
/// <param name="BytesReceived">Payload bytes of those messages.</param>
public sealed record SessionSnapshot(
    int ApplicationId,
    NodeId Node,
    NodeId Source,
    bool IsSource,
    NodeId Parent,
    IReadOnlyList<NodeId> Children,
    IReadOnlyList<NodeId> Path,
    int Degree,
    double Bandwidth,
    long MessagesReceived,
    long BytesReceived)
{
    /// <summary>True while the node is connected to the source through the tree.</summary>
    public bool IsAttached => Path.Count > 0;

    /// <summary>Node stress: degree per byte per second.</summary>
    public double Stress => StressReport.Of(Degree, Bandwidth);
}
