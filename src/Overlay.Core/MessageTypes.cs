namespace Overlay;

/// <summary>
/// Message type numbers. Algorithm-defined types are positive numbers below <see cref="EngineReservedStart"/>;
/// the range from <see cref="EngineReservedStart"/> up belongs to the engine and the observer.
/// </summary>
public static class MessageTypes
{
    /// <summary>Application data: the one type every algorithm handles.</summary>
    public const int Data = 1;

    /// <summary>The first number an algorithm may use for its own protocol messages.</summary>
    public const int AlgorithmStart = 16;

    /// <summary>The first engine-reserved type number; every type at or above it is the engine's.</summary>
    public const int EngineReservedStart = 0x7F00_0000;

    // Link-internal types: answered by the link layer, never shown to the algorithm.

    /// <summary>Round-trip probe carried on a link (link-internal).</summary>
    public const int Ping = EngineReservedStart + 1;

    /// <summary>Answer to <see cref="Ping"/> (link-internal).</summary>
    public const int Pong = EngineReservedStart + 2;

    /// <summary>Keep-alive sent only while a link is idle (link-internal).</summary>
    public const int KeepAlive = EngineReservedStart + 3;

    /// <summary>One frame of a bandwidth probe train (link-internal).</summary>
    public const int Probe = EngineReservedStart + 4;

    /// <summary>The receiver's measurement of a probe train (link-internal).</summary>
    public const int ProbeReport = EngineReservedStart + 5;

    /// <summary>Last type number of the link-internal range.</summary>
    internal const int LinkInternalEnd = EngineReservedStart + 0xFF;

    // Engine notifications: produced by the local engine and given to the algorithm.

    /// <summary>An upstream link (one that delivered messages to this node) failed; the sender field names the peer.</summary>
    public const int BrokenUpstream = EngineReservedStart + 0x100;

    /// <summary>A downstream link (one this node sent to) failed; the sender field names the peer.</summary>
    public const int BrokenDownstream = EngineReservedStart + 0x101;

    /// <summary>An application data source died; the application field names it.</summary>
    public const int BrokenSource = EngineReservedStart + 0x102;

    /// <summary>A connection to the node named by the sender field could not be opened.</summary>
    public const int SendFailed = EngineReservedStart + 0x103;

    /// <summary>Periodic throughput report of an upstream link.</summary>
    public const int UpThroughput = EngineReservedStart + 0x104;

    /// <summary>Periodic throughput report of a downstream link.</summary>
    public const int DownThroughput = EngineReservedStart + 0x105;

    /// <summary>The answer to <see cref="Algorithm.MeasurePeer"/>: see <see cref="MeasurementResult"/>.</summary>
    public const int MeasurementResult = EngineReservedStart + 0x106;

    /// <summary>True when <paramref name="type"/> belongs to the engine or observer range.</summary>
    public static bool IsEngineReserved(int type) => type >= EngineReservedStart;

    /// <summary>True when <paramref name="type"/> is handled inside the link layer and never reaches an algorithm.</summary>
    public static bool IsLinkInternal(int type) => type >= EngineReservedStart && type <= LinkInternalEnd;

    /// <summary>True when a frame of this type may legitimately arrive from a peer.</summary>
    /// <remarks>Algorithm types (1 and up) and link-internal types may; engine notifications are local only.</remarks>
    public static bool IsValidOnWire(int type) =>
        type > 0 && (type < EngineReservedStart || (type >= Ping && type <= ProbeReport));
}
