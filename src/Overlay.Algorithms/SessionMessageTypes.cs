namespace Overlay.Algorithms;

/// <summary>
/// The message types of <see cref="SessionAlgorithm"/>'s protocol. Algorithms built on it number their own messages
/// from <see cref="FirstFree"/>.
/// </summary>
public static class SessionMessageTypes
{
    /// <summary>sAnnounce: the sender is the source of the application; gossiped to every node.</summary>
    public const int Announce = MessageTypes.AlgorithmStart;

    /// <summary>sQuery: the sender wants to join the application; gossiped until it reaches a node in the tree.
    /// The sequence number is the query id.</summary>
    public const int Query = MessageTypes.AlgorithmStart + 1;

    /// <summary>An sQuery passed from a tree node to a neighbour in the tree (a step of the walk to the node that accepts).</summary>
    public const int QueryWalk = MessageTypes.AlgorithmStart + 2;

    /// <summary>sQueryAck: the sender offers to be the joiner's parent; the payload is its degree, bandwidth and path from the source.</summary>
    public const int QueryAck = MessageTypes.AlgorithmStart + 3;

    /// <summary>The joiner took the offer: the receiver adds the sender as a child.</summary>
    public const int Join = MessageTypes.AlgorithmStart + 4;

    /// <summary>The sender is no longer the receiver's parent or child in the application.</summary>
    public const int Leave = MessageTypes.AlgorithmStart + 5;

    /// <summary>Periodic exchange between tree neighbours: the sender's degree, bandwidth and path from the source.</summary>
    public const int Stress = MessageTypes.AlgorithmStart + 6;

    /// <summary>The first type number free for algorithms derived from <see cref="SessionAlgorithm"/>.</summary>
    public const int FirstFree = MessageTypes.AlgorithmStart + 16;
}
