namespace Overlay.Engine;

/// <summary>A peer's measurement of a probe train this node sent, on its way to the node's loop.</summary>
internal sealed record ProbeOutcome(int TrainId, double BytesPerSecond);
