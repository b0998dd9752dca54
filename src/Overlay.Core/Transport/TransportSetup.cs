using Microsoft.Extensions.Logging;
using Overlay.Buffers;

namespace Overlay.Transport;

/// <summary>What a node gives the transport it creates (<see cref="ITransportFactory.Create"/>).</summary>
public sealed class TransportSetup
{
    internal TransportSetup(OverlayNodeOptions options, MessagePool pool, TimeProvider timeProvider, ILoggerFactory loggerFactory, ReceiveBudget? budget)
    {
        Options = options;
        TimeProvider = timeProvider;
        Pool = pool;
        LoggerFactory = loggerFactory;
        Budget = budget;
        Secret = options.SharedSecret is { } secret ? System.Text.Encoding.UTF8.GetBytes(secret) : null;
    }

    /// <summary>
    /// A copy of the node's settings: the address and port to take, overlay id, shared secret, handshake time-out,
    /// largest payload, limits on unproven connections, kernel buffer size (a transport uses those that apply to it).
    /// </summary>
    public OverlayNodeOptions Options { get; }

    /// <summary>Where decoded messages come from.</summary>
    public MessagePool Pool { get; }

    /// <summary>
    /// The node's clock (its own, or its world's): a transport that waits (back-offs, time-outs) waits on it.
    /// </summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Creates the transport's loggers.</summary>
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>The node's accounting of read buffers and partly received messages.</summary>
    internal ReceiveBudget? Budget { get; }

    /// <summary>The shared secret's bytes, or null without one.</summary>
    internal byte[]? Secret { get; }
}
