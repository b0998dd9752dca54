namespace Overlay.Transport;

/// <summary>
/// How a node reaches its peers: accepts their connections, opens its own, and hands the engine handshaken
/// <see cref="IConnection"/>s. TCP (<see cref="Tcp.TcpTransportFactory"/>) is the default; the in-memory
/// transport (<see cref="InMemory.InMemoryNetwork"/>) connects nodes of one process without sockets.
/// </summary>
/// <remarks>
/// A node creates its transport through <see cref="OverlayNodeOptions.Transport"/> when it starts, calls
/// <see cref="Start"/> once, and disposes of it when it stops. Every failure to reach a peer or of an open
/// connection is a <see cref="TransportException"/>; a peer that answers with a wrong handshake is a
/// <see cref="Wire.WireFormatException"/>.
/// </remarks>
public interface ITransport : IAsyncDisposable
{
    /// <summary>This node's identity; valid after <see cref="Start"/>.</summary>
    NodeId LocalId { get; }

    /// <summary>What this transport's connections guarantee.</summary>
    TransportCapabilities Capabilities { get; }

    /// <summary>Connections accepted so far (before any handshake).</summary>
    long ConnectionsAccepted { get; }

    /// <summary>Accepted connections whose handshake is under way now.</summary>
    int ConnectionsInHandshake { get; }

    /// <summary>Pauses of accepting because the system ran out of resources (descriptors); 0 where that cannot happen.</summary>
    long AcceptBackOffs { get; }

    /// <summary>Takes the node's address and starts accepting; every connection that completes its handshake goes to <paramref name="handler"/>.</summary>
    /// <param name="handler">Told of accepted and refused connections, on any thread.</param>
    /// <exception cref="TransportException">The local address cannot be taken (<see cref="TransportFailure.AddressUnavailable"/>).</exception>
    void Start(IConnectionHandler handler);

    /// <summary>Opens a link to <paramref name="remote"/>: connect, exchange handshakes (and the shared-secret proof), check the answer.</summary>
    /// <param name="remote">The peer's identity.</param>
    /// <param name="role">What the peer must be: a node (whose handshake must name <paramref name="remote"/>) or the observer.</param>
    /// <param name="cancellationToken">Ends the attempt.</param>
    /// <returns>The handshaken connection.</returns>
    /// <exception cref="TransportException">The peer could not be reached, or the connection broke during the handshake.</exception>
    /// <exception cref="Wire.WireFormatException">The peer answered with a bad or refused handshake.</exception>
    /// <exception cref="OperationCanceledException">Cancelled, timed out (<see cref="OverlayNodeOptions.HandshakeTimeout"/>), or <see cref="CancelConnects"/> was called.</exception>
    Task<IConnection> ConnectAsync(NodeId remote, PeerRole role, CancellationToken cancellationToken);

    /// <summary>Stops accepting and ends the handshakes of accepted connections; connects under way go on (see <see cref="CancelConnects"/>).</summary>
    /// <returns>Completes when nothing is accepted any more.</returns>
    Task StopAcceptingAsync();

    /// <summary>Ends every connect to a node under way (and refuses later ones): their <see cref="ConnectAsync"/> throws.</summary>
    void CancelConnects();
}
