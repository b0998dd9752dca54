namespace Overlay.Algorithms.Coding;

/// <summary>The message types of the network-coding algorithms in this namespace.</summary>
public static class CodingMessageTypes
{
    /// <summary>
    /// A butterfly-coded message: the XOR of two stream messages of one pair, with a 16-byte header naming both
    /// (see <see cref="ButterflyCodingAlgorithm"/>). The sequence number is the pair index.
    /// </summary>
    public const int ButterflyCoded = MessageTypes.AlgorithmStart + 32;

    /// <summary>
    /// A random linear network coding packet: a header with the generation and coefficient vector, then the coded
    /// symbol (see <see cref="RlncPacketHeader"/>). The sequence number is the generation id.
    /// </summary>
    public const int RlncCoded = MessageTypes.AlgorithmStart + 33;
}
