using System.Buffers.Binary;

namespace Overlay.Algorithms;

/// <summary>
/// Payload layouts of the session protocol, big-endian: a node id is its IPv4 address (4 bytes) and port (2 bytes);
/// a path is a 2-byte count and that many node ids.
/// </summary>
internal static class SessionWire
{
    public const int QueryLength = 4;

    // No overlay is this deep; anything longer is a malformed or hostile payload.
    private const int MaxPath = 4096;
    private const int NodeIdLength = 6;

    public static int PathLength(int count) => 2 + (count * NodeIdLength);

    public static int StressLength(int pathCount) => 4 + 8 + PathLength(pathCount);

    public static void WriteQuery(Span<byte> payload, int hops) => BinaryPrimitives.WriteInt32BigEndian(payload, hops);

    public static bool TryReadQuery(ReadOnlySpan<byte> payload, out int hops)
    {
        hops = payload.Length >= QueryLength ? BinaryPrimitives.ReadInt32BigEndian(payload) : 0;
        return payload.Length >= QueryLength && hops >= 0;
    }

    public static void WritePath(Span<byte> payload, NodeId[] path)
    {
        BinaryPrimitives.WriteUInt16BigEndian(payload, checked((ushort)path.Length));
        for (var i = 0; i < path.Length; i++)
        {
            var slot = payload[(2 + (i * NodeIdLength))..];
            BinaryPrimitives.WriteUInt32BigEndian(slot, path[i].Address);
            BinaryPrimitives.WriteUInt16BigEndian(slot[4..], path[i].Port);
        }
    }

    public static bool TryReadPath(ReadOnlySpan<byte> payload, out NodeId[] path)
    {
        path = [];
        if (payload.Length < 2)
            return false;
        var count = BinaryPrimitives.ReadUInt16BigEndian(payload);
        if (count > MaxPath || payload.Length < PathLength(count))
            return false;
        path = new NodeId[count];
        for (var i = 0; i < count; i++)
        {
            var slot = payload[(2 + (i * NodeIdLength))..];
            path[i] = new NodeId(BinaryPrimitives.ReadUInt32BigEndian(slot), BinaryPrimitives.ReadUInt16BigEndian(slot[4..]));
        }

        return true;
    }

    public static int OfferLength(int pathCount) => StressLength(pathCount);

    /// <summary>An offer (sQueryAck) has the stress layout: the acceptor's degree, bandwidth and path.</summary>
    public static void WriteOffer(Span<byte> payload, StressReport report, NodeId[] path) =>
        WriteStress(payload, report.Degree, report.Bandwidth, path);

    public static bool TryReadOffer(ReadOnlySpan<byte> payload, out StressReport report, out NodeId[] path) =>
        TryReadStress(payload, out report, out path);

    public static void WriteStress(Span<byte> payload, int degree, double bandwidth, NodeId[] path)
    {
        BinaryPrimitives.WriteInt32BigEndian(payload, degree);
        BinaryPrimitives.WriteDoubleBigEndian(payload[4..], bandwidth);
        WritePath(payload[12..], path);
    }

    public static bool TryReadStress(ReadOnlySpan<byte> payload, out StressReport report, out NodeId[] path)
    {
        report = default;
        path = [];
        if (payload.Length < 12)
            return false;
        var degree = BinaryPrimitives.ReadInt32BigEndian(payload);
        var bandwidth = BinaryPrimitives.ReadDoubleBigEndian(payload[4..]);
        if (degree < 0 || double.IsNaN(bandwidth) || bandwidth <= 0)
            return false;
        report = new StressReport(degree, bandwidth);
        return TryReadPath(payload[12..], out path);
    }

    /// <summary><paramref name="path"/> with <paramref name="last"/> appended.</summary>
    public static NodeId[] Extend(NodeId[] path, NodeId last)
    {
        var result = new NodeId[path.Length + 1];
        path.CopyTo(result, 0);
        result[^1] = last;
        return result;
    }
}
