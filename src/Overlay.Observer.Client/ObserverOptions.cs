using System.Net;
using Microsoft.Extensions.Logging;

namespace Overlay.Observer.Client;

/// <summary>Settings of an <see cref="OverlayObserver"/>. Copied when the observer is created.</summary>
public sealed class ObserverOptions
{
    /// <summary>The IPv4 address to listen on.</summary>
    /// <remarks>Defaults to 127.0.0.1.</remarks>
    public IPAddress BindAddress { get; set; } = IPAddress.Loopback;

    /// <summary>The port to listen on; 0 picks a free one.</summary>
    /// <remarks>Defaults to 0.</remarks>
    public int Port { get; set; }

    /// <summary>The overlay whose nodes this observer accepts.</summary>
    /// <remarks>Defaults to 0.</remarks>
    public uint OverlayId { get; set; }

    /// <summary>The overlay's shared secret; must match the nodes'. Null for no authentication.</summary>
    /// <remarks>Defaults to null.</remarks>
    public string? SharedSecret { get; set; }

    /// <summary>How many live nodes a bootstrapping node is given (fewer when fewer are alive).</summary>
    /// <remarks>Defaults to 5.</remarks>
    public int BootstrapSubsetSize { get; set; } = 5;

    /// <summary>How often every node is asked for its status.</summary>
    /// <remarks>Defaults to 1 second.</remarks>
    public TimeSpan StatusInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a control command waits for the node's acknowledgement.</summary>
    /// <remarks>Defaults to 5 seconds.</remarks>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a connecting node has for its handshake.</summary>
    /// <remarks>Defaults to 5 seconds.</remarks>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>File every trace is appended to, one line each; null keeps no file.</summary>
    /// <remarks>Defaults to null.</remarks>
    public string? TraceLogPath { get; set; }

    /// <summary>Seed for the random choice of bootstrap sets; null for a random seed.</summary>
    /// <remarks>Defaults to null.</remarks>
    public int? Seed { get; set; }

    /// <summary>Creates the observer's loggers; null logs nothing.</summary>
    /// <remarks>Defaults to null.</remarks>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>The clock of the observer's status polls, command and handshake time-outs.</summary>
    /// <remarks>Defaults to <see cref="TimeProvider.System"/>.</remarks>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal ObserverOptions Copy()
    {
        // The observer's endpoint is a node identity (IPv4 address and port) on the wire.
        NodeId.ValidateListenSettings(BindAddress, Port, nameof(BindAddress), nameof(Port));
        ArgumentOutOfRangeException.ThrowIfNegative(BootstrapSubsetSize);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(StatusInterval, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(TimeProvider);
        return (ObserverOptions)MemberwiseClone();
    }
}
