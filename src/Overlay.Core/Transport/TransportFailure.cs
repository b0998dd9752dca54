namespace Overlay.Transport;

/// <summary>Why a transport operation failed, whatever the transport (see <see cref="TransportException"/>).</summary>
public enum TransportFailure
{
    /// <summary>Nobody accepts at the peer's address (refused, no route, nothing listening).</summary>
    Unreachable,

    /// <summary>An open connection broke: reset or aborted by either side, or written after it closed.</summary>
    ConnectionReset,

    /// <summary>The transport could not take the node's local address (in use, not available).</summary>
    AddressUnavailable,
}
