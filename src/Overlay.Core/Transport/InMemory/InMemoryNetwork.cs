using System.Collections.Concurrent;

namespace Overlay.Transport.InMemory;

/// <summary>
/// An in-memory network: nodes whose <see cref="OverlayNodeOptions.Transport"/> is the same instance reach each other
/// by <see cref="NodeId"/> through bounded byte pipes, with the same framing, handshake and authentication as TCP
/// and no sockets. For tests, and for simulation under a virtual clock: nothing in it reads the time but the node's
/// clock (its own or its world's, <see cref="TransportSetup.TimeProvider"/>) for the handshake time-out.
/// </summary>
/// <remarks>
/// The network assigns each node its identity when it starts: a unique address in 10.0.0.0/8, in the order nodes
/// start, and <see cref="OverlayNodeOptions.Port"/> (or <see cref="DefaultPort"/> when that is 0);
/// <see cref="OverlayNodeOptions.BindAddress"/> and <see cref="OverlayNodeOptions.SocketBufferSize"/> do not apply.
/// Each direction of a connection holds at most <see cref="PipeCapacity"/> bytes: a sender whose peer does not read
/// waits, as on a full socket. Closing is TCP's: an orderly close lets the peer read to the end of the stream, an
/// abort resets both directions.
/// </remarks>
public sealed class InMemoryNetwork : ITransportFactory
{
    /// <summary>The bytes each direction of a connection holds by default.</summary>
    public const int DefaultPipeCapacity = 64 * 1024;

    /// <summary>The port of a node's identity when its options leave <see cref="OverlayNodeOptions.Port"/> at 0.</summary>
    public const ushort DefaultPort = 7000;

    private readonly ConcurrentDictionary<NodeId, InMemoryTransport> _listening = new();
    private int _assigned;

    /// <summary>Creates an empty network.</summary>
    /// <param name="pipeCapacity">The bytes each direction of a connection holds; at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pipeCapacity"/> is less than 1.</exception>
    public InMemoryNetwork(int pipeCapacity = DefaultPipeCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pipeCapacity, 1);
        PipeCapacity = pipeCapacity;
    }

    /// <summary>The bytes each direction of a connection holds.</summary>
    public int PipeCapacity { get; }

    /// <summary>The nodes accepting connections now.</summary>
    public int ListeningCount => _listening.Count;

    /// <inheritdoc />
    public ITransport Create(TransportSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        return new InMemoryTransport(this, setup);
    }

    /// <inheritdoc />
    public override string ToString() => "in-memory network";

    /// <summary>A fresh identity: 10.0.0.1, 10.0.0.2, … with the given port.</summary>
    internal NodeId Assign(int port)
    {
        var n = Interlocked.Increment(ref _assigned);
        if (n >= 1 << 24)
            throw new TransportException(TransportFailure.AddressUnavailable, "The in-memory network has no addresses left.");
        return new NodeId(0x0A000000u | (uint)n, port == 0 ? DefaultPort : (ushort)port);
    }

    internal void Listen(InMemoryTransport transport)
    {
        if (!_listening.TryAdd(transport.LocalId, transport))
            throw new TransportException(TransportFailure.AddressUnavailable, $"{transport.LocalId} is taken on this in-memory network.");
    }

    internal void StopListening(InMemoryTransport transport) =>
        _listening.TryRemove(new KeyValuePair<NodeId, InMemoryTransport>(transport.LocalId, transport));

    internal bool TryFind(NodeId id, out InMemoryTransport transport) => _listening.TryGetValue(id, out transport!);
}
