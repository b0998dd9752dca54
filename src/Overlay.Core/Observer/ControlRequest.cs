using Overlay.Emulation;

namespace Overlay.Observer;

/// <summary>One control command as it travels from observer to node (JSON on the observer connection).</summary>
internal sealed record ControlRequest
{
    /// <summary>
    /// The most bytes a custom command carries. The request travels as Base64 in one frame, so this keeps it far below
    /// the default maximum frame (1 MiB) a node accepts from its observer.
    /// </summary>
    public const int MaxCustomPayloadLength = 64 * 1024;

    /// <summary>What to do.</summary>
    public ControlKind Kind { get; init; }

    /// <summary>Which node budget, for <see cref="ControlKind.SetBandwidth"/>.</summary>
    public BandwidthScope Scope { get; init; }

    /// <summary>The other end of the link ("a.b.c.d:port"), for <see cref="ControlKind.SetLinkBandwidth"/>.</summary>
    public string? Peer { get; init; }

    /// <summary>Which direction of the link, for <see cref="ControlKind.SetLinkBandwidth"/>.</summary>
    public LinkDirection Direction { get; init; }

    /// <summary>The new limit in bytes per second; null removes it.</summary>
    public double? BytesPerSecond { get; init; }

    /// <summary>The application, for source, join and leave commands.</summary>
    public int ApplicationId { get; init; }

    /// <summary>Payload bytes per message of a deployed source.</summary>
    public int PayloadLength { get; init; } = 5 * 1024;

    /// <summary>First integer of a custom command.</summary>
    public int First { get; init; }

    /// <summary>Second integer of a custom command.</summary>
    public int Second { get; init; }

    /// <summary>
    /// Bytes for the algorithm with a custom command (they become the message's payload; Base64 in the JSON); at most
    /// <see cref="MaxCustomPayloadLength"/> and the node's <see cref="OverlayNodeOptions.MaxPayloadLength"/>. Null for none.
    /// </summary>
#pragma warning disable CA1819 // a plain data carrier serialised as JSON: an array is its natural shape
    public byte[]? Payload { get; init; }
#pragma warning restore CA1819
}
