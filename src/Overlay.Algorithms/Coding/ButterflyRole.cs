namespace Overlay.Algorithms.Coding;

/// <summary>What a node does in the butterfly network of the paper's Fig. 8.</summary>
public enum ButterflyRole
{
    /// <summary>
    /// Splits its own data source into two streams by sequence number: even messages (stream a) to the first
    /// downstream, odd messages (stream b) to the second (node A).
    /// </summary>
    Source,

    /// <summary>Forwards every stream and coded message to all its downstreams (nodes B, C and E).</summary>
    Relay,

    /// <summary>
    /// With coding on, holds one message of each stream until its partner arrives and sends their XOR a+b;
    /// without coding, forwards both streams (node D).
    /// </summary>
    Coder,

    /// <summary>
    /// Receives one stream directly and the coded one, recovers the stream it misses with XOR and delivers both in
    /// order (nodes F and G).
    /// </summary>
    Decoder,
}
