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

    /// <summary>
    /// An application data source ended before its last message (terminated by <c>TerminateSource</c> or the observer);
    /// the application field names it. A source that produced all of its <see cref="SourceOptions.MessageLimit"/> gives
    /// <see cref="SourceCompleted"/> instead.
    /// </summary>
    public const int BrokenSource = EngineReservedStart + 0x102;

    /// <summary>A connection to the node named by the sender field could not be opened.</summary>
    public const int SendFailed = EngineReservedStart + 0x103;

    /// <summary>Periodic throughput report of an upstream link.</summary>
    public const int UpThroughput = EngineReservedStart + 0x104;

    /// <summary>Periodic throughput report of a downstream link.</summary>
    public const int DownThroughput = EngineReservedStart + 0x105;

    /// <summary>The answer to <see cref="Algorithm.MeasurePeer"/>: see <see cref="MeasurementResult"/>.</summary>
    public const int MeasurementResult = EngineReservedStart + 0x106;

    /// <summary>
    /// An application data source produced its last message (<see cref="SourceOptions.MessageLimit"/>) and every send of
    /// it was accepted; the application field names it.
    /// </summary>
    public const int SourceCompleted = EngineReservedStart + 0x107;

    /// <summary>
    /// The link to the node named by the sender field has room again after a <c>TrySend</c> or <c>CanSend</c> found it
    /// full: raised once per such full → room change, on the node's loop (see <see cref="Algorithm.OnWritable"/>).
    /// </summary>
    public const int Writable = EngineReservedStart + 0x108;

    /// <summary>The observer gave this node its bootstrap set (now in <c>KnownHosts</c>); the payload lists them, see <see cref="Observer.BootstrapList"/>.</summary>
    public const int Bootstrap = EngineReservedStart + 0x110;

    /// <summary>The observer asks this node to join the application named by the application field.</summary>
    public const int JoinRequested = EngineReservedStart + 0x111;

    /// <summary>The observer asks this node to leave the application named by the application field.</summary>
    public const int LeaveRequested = EngineReservedStart + 0x112;

    /// <summary>An algorithm-specific command from the observer: its two integers are the application and sequence fields, its bytes (if any) the payload.</summary>
    public const int CustomControl = EngineReservedStart + 0x113;

    // Observer protocol: only ever on a node's connection to its observer.

    /// <summary>Node → observer: register and ask for a bootstrap set.</summary>
    internal const int ObserverBoot = EngineReservedStart + 0x200;

    /// <summary>Observer → node: the bootstrap set.</summary>
    internal const int ObserverBootReply = EngineReservedStart + 0x201;

    /// <summary>Observer → node: send your status.</summary>
    internal const int ObserverStatusRequest = EngineReservedStart + 0x202;

    /// <summary>Node → observer: status (JSON).</summary>
    internal const int ObserverStatusReport = EngineReservedStart + 0x203;

    /// <summary>Observer → node: a control command (JSON); the sequence field is the request id.</summary>
    internal const int ObserverControl = EngineReservedStart + 0x204;

    /// <summary>Node → observer: the outcome of a control command (JSON), same request id.</summary>
    internal const int ObserverControlAck = EngineReservedStart + 0x205;

    /// <summary>Node → observer: a trace line (UTF-8).</summary>
    internal const int ObserverTrace = EngineReservedStart + 0x206;

    /// <summary>True for the observer protocol's types, which no node-to-node link may carry.</summary>
    internal static bool IsObserverProtocol(int type) => type >= ObserverBoot && type <= ObserverTrace;

    /// <summary>True when <paramref name="type"/> belongs to the engine or observer range.</summary>
    public static bool IsEngineReserved(int type) => type >= EngineReservedStart;

    /// <summary>True when <paramref name="type"/> is handled inside the link layer and never reaches an algorithm.</summary>
    public static bool IsLinkInternal(int type) => type >= EngineReservedStart && type <= LinkInternalEnd;

    /// <summary>True when a frame of this type may legitimately arrive from a peer.</summary>
    /// <remarks>
    /// Algorithm types (1 and up), link-internal types and the observer protocol may (the latter is refused on
    /// node-to-node links); engine notifications are local only.
    /// </remarks>
    public static bool IsValidOnWire(int type) =>
        type > 0 && (type < EngineReservedStart || (type >= Ping && type <= ProbeReport) || IsObserverProtocol(type));
}
