namespace Overlay.Emulation;

/// <summary>Which of a node's emulated bandwidth budgets a limit sets.</summary>
public enum BandwidthScope
{
    /// <summary>Upload and download together share one budget (iOverlay's per-node total bandwidth).</summary>
    Total,

    /// <summary>Everything the node sends, over all links.</summary>
    Upload,

    /// <summary>Everything the node receives, over all links.</summary>
    Download,
}
