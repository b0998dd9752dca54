using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Serialization;

namespace Overlay;

/// <summary>
/// Identity of an overlay node: its IPv4 address and listening port, as in the iOverlay header.
/// </summary>
[JsonConverter(typeof(NodeIdJsonConverter))]
public readonly struct NodeId : IEquatable<NodeId>, IComparable<NodeId>
{
    /// <summary>The "no node" value (0.0.0.0:0).</summary>
    public static readonly NodeId None;

    /// <summary>Creates a node identity from an IPv4 address in network byte order and a port.</summary>
    /// <param name="address">The IPv4 address as the four bytes read big-endian into an integer (127.0.0.1 is 0x7F000001).</param>
    /// <param name="port">The listening port.</param>
    public NodeId(uint address, ushort port)
    {
        Address = address;
        Port = port;
    }

    /// <summary>The IPv4 address, 127.0.0.1 being 0x7F000001.</summary>
    public uint Address { get; }

    /// <summary>The listening port.</summary>
    public ushort Port { get; }

    /// <summary>True for <see cref="None"/>.</summary>
    public bool IsNone => Address == 0 && Port == 0;

    /// <summary>Creates a node identity from an IPv4 endpoint.</summary>
    /// <exception cref="ArgumentException">The endpoint is not IPv4 (or IPv4 mapped to IPv6).</exception>
    public static NodeId FromEndPoint(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var ip = endPoint.Address;
        if (ip.IsIPv4MappedToIPv6)
            ip = ip.MapToIPv4();
        if (ip.AddressFamily != AddressFamily.InterNetwork)
            throw new ArgumentException("Overlay node identities are IPv4 endpoints.", nameof(endPoint));
        Span<byte> bytes = stackalloc byte[4];
        ip.TryWriteBytes(bytes, out _);
        return new NodeId(BinaryPrimitives.ReadUInt32BigEndian(bytes), checked((ushort)endPoint.Port));
    }

    /// <summary>
    /// Checks the settings a listening identity is made from (a node's, an observer's): an IPv4 address and a port
    /// from 0 to 65535, naming the setting that is wrong.
    /// </summary>
    /// <exception cref="ArgumentNullException">The address is null.</exception>
    /// <exception cref="ArgumentException">The address is not IPv4, or the port is out of range.</exception>
    internal static void ValidateListenSettings(IPAddress? address, int port, string addressName, string portName)
    {
        ArgumentNullException.ThrowIfNull(address, addressName);
        // Node identities (handshake, message headers) carry an IPv4 address and a port, as in iOverlay.
        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException(
                $"{addressName} must be an IPv4 address (node identities are IPv4 endpoints); {address} is {address.AddressFamily}.", addressName);
        }

        ArgumentOutOfRangeException.ThrowIfNegative(port, portName);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, ushort.MaxValue, portName);
    }

    /// <summary>Parses "a.b.c.d:port".</summary>
    public static NodeId Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return FromEndPoint(IPEndPoint.Parse(text));
    }

    /// <summary>The IPv4 endpoint this identity names.</summary>
    public IPEndPoint ToEndPoint()
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, Address);
        return new IPEndPoint(new IPAddress(bytes), Port);
    }

    /// <inheritdoc />
    public bool Equals(NodeId other) => Address == other.Address && Port == other.Port;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is NodeId other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => (int)(Address * 2654435761u) ^ Port;

    /// <inheritdoc />
    public int CompareTo(NodeId other)
    {
        var byAddress = Address.CompareTo(other.Address);
        return byAddress != 0 ? byAddress : Port.CompareTo(other.Port);
    }

    /// <summary>"a.b.c.d:port".</summary>
    public override string ToString() =>
        $"{Address >> 24}.{(Address >> 16) & 0xFF}.{(Address >> 8) & 0xFF}.{Address & 0xFF}:{Port}";

    /// <summary>Equality.</summary>
    public static bool operator ==(NodeId left, NodeId right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(NodeId left, NodeId right) => !left.Equals(right);

    /// <summary>Ordering.</summary>
    public static bool operator <(NodeId left, NodeId right) => left.CompareTo(right) < 0;

    /// <summary>Ordering.</summary>
    public static bool operator >(NodeId left, NodeId right) => left.CompareTo(right) > 0;

    /// <summary>Ordering.</summary>
    public static bool operator <=(NodeId left, NodeId right) => left.CompareTo(right) <= 0;

    /// <summary>Ordering.</summary>
    public static bool operator >=(NodeId left, NodeId right) => left.CompareTo(right) >= 0;
}
