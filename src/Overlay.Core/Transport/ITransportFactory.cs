namespace Overlay.Transport;

/// <summary>Creates a node's <see cref="ITransport"/> when the node starts; set it in <see cref="OverlayNodeOptions.Transport"/>.</summary>
public interface ITransportFactory
{
    /// <summary>Creates the transport of one node.</summary>
    /// <param name="setup">The node's settings and resources the transport works with.</param>
    /// <returns>A new transport, not yet started.</returns>
    ITransport Create(TransportSetup setup);
}
