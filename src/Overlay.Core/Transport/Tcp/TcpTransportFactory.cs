using System.Net;
using Microsoft.Extensions.Logging;

namespace Overlay.Transport.Tcp;

/// <summary>
/// The default transport: TCP over IPv4. A node listens on <see cref="OverlayNodeOptions.BindAddress"/> and
/// <see cref="OverlayNodeOptions.Port"/>, and its identity is that endpoint.
/// </summary>
public sealed class TcpTransportFactory : ITransportFactory
{
    private TcpTransportFactory()
    {
    }

    /// <summary>The one instance (TCP has no settings beyond the node's options).</summary>
    public static TcpTransportFactory Instance { get; } = new();

    /// <inheritdoc />
    public ITransport Create(TransportSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var options = setup.Options;
        return new TcpTransport(
            new IPEndPoint(options.BindAddress, options.Port),
            options.OverlayId,
            setup.Pool,
            options.MaxPayloadLength,
            options.HandshakeTimeout,
            setup.LoggerFactory.CreateLogger<TcpTransport>(),
            options.SocketBufferSize,
            setup.Secret)
        {
            MaxPendingHandshakes = options.MaxPendingHandshakes,
            Budget = setup.Budget,
            TimeProvider = setup.TimeProvider,
        };
    }

    /// <inheritdoc />
    public override string ToString() => "TCP";
}
