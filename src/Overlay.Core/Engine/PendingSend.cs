namespace Overlay.Engine;

/// <summary>
/// A send that found its outbound buffer full. It waits in its link's queue, in the order the algorithm made it,
/// and holds one reference; <see cref="Input"/> (if any) is not served again until all its waiting sends leave.
/// </summary>
internal readonly record struct PendingSend(Message Message, InputPort? Input);
