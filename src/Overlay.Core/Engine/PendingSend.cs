namespace Overlay.Engine;

/// <summary>A send that found its outbound buffer full: retried every round until it fits. Holds one reference.</summary>
internal readonly record struct PendingSend(Message Message, DownstreamLink Link);
