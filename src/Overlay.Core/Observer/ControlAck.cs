namespace Overlay.Observer;

/// <summary>A node's answer to a <see cref="ControlRequest"/>.</summary>
/// <param name="Ok">True when the command was carried out.</param>
/// <param name="Error">Why it was not, when it was not.</param>
internal sealed record ControlAck(bool Ok, string? Error);
