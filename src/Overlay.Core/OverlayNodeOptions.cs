using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Overlay.Buffers;
using Overlay.Emulation;
using Overlay.Transport;
using Overlay.Transport.Tcp;
using Overlay.Runtime;

namespace Overlay;

/// <summary>Settings of one <see cref="OverlayNode"/>. Copied when the node is created; later edits have no effect.</summary>
public sealed class OverlayNodeOptions
{
    /// <summary>
    /// How the node reaches its peers: <see cref="TcpTransportFactory.Instance"/> (TCP over IPv4), or an
    /// <see cref="Overlay.Transport.InMemory.InMemoryNetwork"/> shared by nodes of one process (no sockets; the network assigns
    /// each node its identity), or any other <see cref="ITransportFactory"/>.
    /// </summary>
    /// <remarks>Defaults to <see cref="TcpTransportFactory.Instance"/>.</remarks>
    public ITransportFactory Transport { get; set; } = TcpTransportFactory.Instance;

    /// <summary>The IPv4 address to listen on; also the address part of the node's identity.</summary>
    /// <remarks>Defaults to 127.0.0.1. IPv6 is not supported (node identities are IPv4 endpoints): the node's constructor refuses it.</remarks>
    public IPAddress BindAddress { get; set; } = IPAddress.Loopback;

    /// <summary>The port to listen on; 0 picks a free one.</summary>
    /// <remarks>Defaults to 0.</remarks>
    public int Port { get; set; }

    /// <summary>Messages buffered per link (each inbound and each outbound buffer) before back pressure applies.</summary>
    /// <remarks>Defaults to 10.</remarks>
    public int BufferCapacity { get; set; } = 10;

    /// <summary>The largest payload accepted from a peer, in bytes; a larger frame closes the link.</summary>
    /// <remarks>Defaults to 1 MiB.</remarks>
    public int MaxPayloadLength { get; set; } = 1024 * 1024;

    /// <summary>Identifies the overlay: a node only accepts links whose handshake carries the same id.</summary>
    /// <remarks>Defaults to 0.</remarks>
    public uint OverlayId { get; set; }

    /// <summary>
    /// The overlay's shared secret. When set, every connection (node↔node and node↔observer) proves knowledge of it
    /// with an HMAC-SHA256 challenge-response, and peers that cannot are refused. Null turns authentication off
    /// (for development on a trusted machine). See docs/security.md.
    /// </summary>
    /// <remarks>Defaults to null.</remarks>
    public string? SharedSecret { get; set; }

    /// <summary>
    /// How long a connection may take to complete its handshake (and, with a <see cref="SharedSecret"/>, its
    /// authentication), in either direction. An accepted connection that has not finished by then is closed and counted
    /// in <see cref="NodeStatistics.RejectedConnections"/> as <see cref="Wire.WireError.HandshakeTimeout"/>.
    /// </summary>
    /// <remarks>Defaults to 5 seconds.</remarks>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    // ---- Limits on what strangers may cost before they prove anything (see docs/security.md) ----

    /// <summary>
    /// How many accepted connections may be in their handshake at once. Past this, a newly accepted connection is
    /// closed at once and counted as <see cref="Wire.WireError.TooManyHandshakes"/>: together with
    /// <see cref="HandshakeTimeout"/> this bounds what connections that have proved nothing can hold (each costs a
    /// descriptor, and no read buffer until bytes arrive).
    /// </summary>
    /// <remarks>Defaults to 128.</remarks>
    public int MaxPendingHandshakes { get; set; } = 128;

    /// <summary>
    /// Bytes that partly received messages may hold together on this node. A frame's payload that has not arrived
    /// yet is reserved here until it is complete; when a reservation does not fit, the links with the slowest partly
    /// received messages are closed (<see cref="Wire.WireError.PartialMessageBudget"/>) until it does. At least one
    /// frame of <see cref="MaxPayloadLength"/> plus its 24-byte header.
    /// </summary>
    /// <remarks>Defaults to 64 MiB.</remarks>
    public long PartialMessageBudget { get; set; } = 64L * 1024 * 1024;

    /// <summary>How long <see cref="OverlayNode.StopAsync"/> lets outbound buffers drain before it closes links.</summary>
    /// <remarks>Defaults to 2 seconds.</remarks>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a peer in another process may be silent before its links are declared dead. A peer that nothing
    /// else told of this node for a tenth of this gets a ping (answered by a pong) every fifth of it, so an idle but
    /// healthy peer is never mistaken for a dead one; a stall of this process itself is not counted as the peer's
    /// silence. Nodes of the same process share its fate and exchange no keep-alives.
    /// </summary>
    /// <remarks>Defaults to 2 seconds.</remarks>
    public TimeSpan FailureTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How many times a link that cannot connect is retried (with doubling back-off from 100 ms) before the algorithm gets <see cref="MessageTypes.SendFailed"/>.</summary>
    /// <remarks>Defaults to 3.</remarks>
    public int ConnectRetries { get; set; } = 3;

    /// <summary>
    /// Kernel send and receive buffer size of every link's socket, in bytes; null lets the node choose: the system's
    /// default, or — while the node has any emulated bandwidth limit — about 100 ms worth of the limit. Applies to
    /// transports with kernel buffers (TCP); the in-memory transport's pipes are sized by its network instead.
    /// </summary>
    /// <remarks>
    /// Defaults to null. Small values make back pressure reach upstream nodes sooner, because less data hides in
    /// kernel buffers (loopback buffers grow to megabytes). With null, a node with an emulated limit (in these
    /// options, or set at run time with <see cref="OverlayNode.SetBandwidth"/> or
    /// <see cref="OverlayNode.SetLinkBandwidth"/>) sizes each link's kernel buffer to 100 ms of the tightest limit
    /// on that direction (a direction without a limit of its own: the tightest limit on the node), at least 4 KiB,
    /// so a throttled experiment queues in the engine's buffers (<see cref="BufferCapacity"/>), not for minutes in
    /// the kernel. Lifting every limit gives the buffers back their earlier size but not the kernel's autotuning:
    /// on Linux, setting a socket's buffer size turns autotuning off for that socket for good, so a link whose
    /// buffers were ever sized keeps its earlier size fixed until it is opened again (a new connection). A value
    /// set here is kept as it is.
    /// </remarks>
    public int? SocketBufferSize { get; set; }

    /// <summary>Emulated total bandwidth (upload and download share it), in bytes per second; null for none.</summary>
    /// <remarks>Defaults to null. Changeable at run time with <see cref="OverlayNode.SetBandwidth"/>.</remarks>
    public double? TotalBandwidth { get; set; }

    /// <summary>Emulated upload bandwidth, in bytes per second; null for none.</summary>
    /// <remarks>Defaults to null.</remarks>
    public double? UploadBandwidth { get; set; }

    /// <summary>Emulated download bandwidth, in bytes per second; null for none.</summary>
    /// <remarks>Defaults to null.</remarks>
    public double? DownloadBandwidth { get; set; }

    /// <summary>Seed of emulated loss and jitter, so an experiment repeats exactly.</summary>
    /// <remarks>Defaults to 0.</remarks>
    public int EmulationSeed { get; set; }

    /// <summary>
    /// How often link throughput is measured and reported to the algorithm (a link that stays idle is reported once,
    /// when its rate falls to zero), and how often the round-trip time of a link that carries data is probed.
    /// </summary>
    /// <remarks>Defaults to 1 second.</remarks>
    public TimeSpan MeasurementInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The observer to bootstrap from and report to; null for none.</summary>
    /// <remarks>Defaults to null.</remarks>
    public IPEndPoint? ObserverEndPoint { get; set; }

    /// <summary>
    /// The world the node runs in: its scheduler, its shared tickers, the nodes it shares its fate with, and the
    /// defaults of <see cref="TimeProvider"/> and <see cref="Pool"/>. Nodes of different worlds share nothing, even in
    /// one process.
    /// </summary>
    /// <remarks>Defaults to null: <see cref="OverlayRuntime.Default"/>.</remarks>
    public OverlayRuntime? Runtime { get; set; }

    /// <summary>Where messages come from; null takes the world's pool (<see cref="OverlayRuntime.Pool"/>).</summary>
    /// <remarks>
    /// Defaults to null (for the default world, <see cref="MessagePool.Shared"/>). A pool set here wins over the
    /// world's, for this node only: it is how a group of nodes counts its messages apart from the rest of its world.
    /// </remarks>
    public MessagePool? Pool { get; set; }

    /// <summary>The clock for timers and measurements; null takes the world's clock (<see cref="OverlayRuntime.TimeProvider"/>).</summary>
    /// <remarks>
    /// Defaults to null (for the default world, <see cref="TimeProvider.System"/>). A clock set here wins over the
    /// world's, for this node only; the node keeps its world's scheduler and registry, and shares tickers only with
    /// nodes of its world on the same clock. To run a whole overlay on one clock, give it to the world instead.
    /// </remarks>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Creates the node's loggers; null logs nothing.</summary>
    /// <remarks>Defaults to null.</remarks>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Creates the <c>Overlay</c> meter the node reports to (e.g. the host's, from dependency injection); null uses a meter of the process's own.</summary>
    /// <remarks>Defaults to null. See <see cref="Diagnostics.OverlayMeter"/> for the instruments.</remarks>
    public IMeterFactory? MeterFactory { get; set; }

    /// <summary>Checks every setting and throws, naming the setting and the accepted range, at the first that is wrong.</summary>
    /// <exception cref="ArgumentException">A setting is out of range, or an address is not IPv4.</exception>
    /// <remarks>The node's constructor calls it, so a bad setting fails there rather than later as a socket error.</remarks>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Transport);
        NodeId.ValidateListenSettings(BindAddress, Port, nameof(BindAddress), nameof(Port));

        if (ObserverEndPoint is { } observer && observer.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException(
                $"ObserverEndPoint must be an IPv4 endpoint; {observer} is {observer.AddressFamily}.", nameof(ObserverEndPoint));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(BufferCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxPayloadLength);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(HandshakeTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(StopTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(FailureTimeout, TimeSpan.FromMilliseconds(100));
        ArgumentOutOfRangeException.ThrowIfNegative(ConnectRetries);
        if (SocketBufferSize is { } socketBuffer)
            ArgumentOutOfRangeException.ThrowIfLessThan(socketBuffer, 1, nameof(SocketBufferSize));
        TokenBucket.ValidateRate(TotalBandwidth, rateParamName: nameof(TotalBandwidth));
        TokenBucket.ValidateRate(UploadBandwidth, rateParamName: nameof(UploadBandwidth));
        TokenBucket.ValidateRate(DownloadBandwidth, rateParamName: nameof(DownloadBandwidth));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MeasurementInterval, TimeSpan.Zero);

        // Limits on strangers.
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPendingHandshakes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(PartialMessageBudget, (long)MaxPayloadLength + Wire.MessageHeader.Size);
    }

    internal OverlayNodeOptions Copy()
    {
        Validate();
        return new OverlayNodeOptions
        {
            Transport = Transport,
            BindAddress = BindAddress,
            Port = Port,
            BufferCapacity = BufferCapacity,
            MaxPayloadLength = MaxPayloadLength,
            OverlayId = OverlayId,
            SharedSecret = SharedSecret,
            HandshakeTimeout = HandshakeTimeout,
            MaxPendingHandshakes = MaxPendingHandshakes,
            PartialMessageBudget = PartialMessageBudget,
            StopTimeout = StopTimeout,
            SocketBufferSize = SocketBufferSize,
            FailureTimeout = FailureTimeout,
            ConnectRetries = ConnectRetries,
            TotalBandwidth = TotalBandwidth,
            UploadBandwidth = UploadBandwidth,
            DownloadBandwidth = DownloadBandwidth,
            EmulationSeed = EmulationSeed,
            MeasurementInterval = MeasurementInterval,
            ObserverEndPoint = ObserverEndPoint,
            Runtime = Runtime,
            Pool = Pool,
            TimeProvider = TimeProvider,
            LoggerFactory = LoggerFactory,
            MeterFactory = MeterFactory,
        };
    }
}
