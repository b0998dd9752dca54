using Overlay.Emulation;

namespace Overlay.Observer;

/// <summary>One control command as it travels from observer to node (JSON on the observer connection).</summary>
public sealed record ControlRequest
{
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
}
