using System.Buffers.Binary;

namespace Overlay.Algorithms.Services;

/// <summary>
/// Payload layouts of the service federation protocol, big-endian; a node id is its IPv4 address (4 bytes) and port
/// (2 bytes). Every reader returns false on a short or malformed payload instead of throwing.
/// </summary>
internal static class ServiceWire
{
    /// <summary>Data header: origin time (UTC ticks, 8 bytes), services applied so far (4), reserved (4).</summary>
    public const int DataHeaderLength = 16;

    public const int NodeIdLength = 6;

    /// <summary>sAware: service type (4), hops left (1).</summary>
    public const int AwareLength = 5;

    /// <summary>sAwareForward: origin (6), service type (4).</summary>
    public const int AwareForwardLength = NodeIdLength + 4;

    /// <summary>sIntroduce and sFailed: a service type (4).</summary>
    public const int ServiceLength = 4;

    /// <summary>sReport: messages (8), bytes (8), mean delay in ticks (8), last-hop rate (8), average rate (8), services applied (4).</summary>
    public const int ReportLength = 44;

    public static void WriteNode(Span<byte> destination, NodeId node)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, node.Address);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], node.Port);
    }

    public static bool TryReadNode(ReadOnlySpan<byte> source, out NodeId node)
    {
        node = source.Length >= NodeIdLength
            ? new NodeId(BinaryPrimitives.ReadUInt32BigEndian(source), BinaryPrimitives.ReadUInt16BigEndian(source[4..]))
            : NodeId.None;
        return source.Length >= NodeIdLength;
    }

    public static bool TryReadService(ReadOnlySpan<byte> source, out int service)
    {
        service = source.Length >= 4 ? BinaryPrimitives.ReadInt32BigEndian(source) : 0;
        return service > 0;
    }

    public static void WriteAware(Span<byte> destination, int service, int hops)
    {
        BinaryPrimitives.WriteInt32BigEndian(destination, service);
        destination[4] = (byte)hops;
    }

    public static bool TryReadAware(ReadOnlySpan<byte> source, out int service, out int hops)
    {
        hops = source.Length >= AwareLength ? source[4] : 0;
        return TryReadService(source, out service) && source.Length >= AwareLength;
    }

    public static void WriteAwareForward(Span<byte> destination, NodeId origin, int service)
    {
        WriteNode(destination, origin);
        BinaryPrimitives.WriteInt32BigEndian(destination[NodeIdLength..], service);
    }

    public static bool TryReadAwareForward(ReadOnlySpan<byte> source, out NodeId origin, out int service)
    {
        service = 0;
        return TryReadNode(source, out origin) && !origin.IsNone && TryReadService(source[Math.Min(NodeIdLength, source.Length)..], out service);
    }

    /// <summary>sReach: a count (1), then per consumer type its type (4) and the best bandwidth to it as a float (4).</summary>
    public static int ReachLength(int count) => 1 + (8 * count);

    public static void WriteReach(Span<byte> destination, IReadOnlyList<(int Service, double BytesPerSecond)> reach)
    {
        destination[0] = (byte)reach.Count;
        for (var i = 0; i < reach.Count; i++)
        {
            var slot = destination[(1 + (8 * i))..];
            BinaryPrimitives.WriteInt32BigEndian(slot, reach[i].Service);
            BinaryPrimitives.WriteSingleBigEndian(slot[4..], (float)reach[i].BytesPerSecond);
        }
    }

    public static bool TryReadReach(ReadOnlySpan<byte> source, out (int Service, double BytesPerSecond)[] reach)
    {
        reach = [];
        if (source.Length < 1 || source.Length < ReachLength(source[0]))
            return false;
        var result = new (int, double)[source[0]];
        for (var i = 0; i < result.Length; i++)
        {
            var slot = source[(1 + (8 * i))..];
            var service = BinaryPrimitives.ReadInt32BigEndian(slot);
            var rate = BinaryPrimitives.ReadSingleBigEndian(slot[4..]);
            if (service <= 0 || float.IsNaN(rate) || rate < 0)
                return false;
            result[i] = (service, rate);
        }

        reach = result;
        return true;
    }

    /// <summary>sFederate and sDeploy: strategy (1), position of the receiver (1), the requirement, then one node id per service (none where not chosen yet).</summary>
    public static int FederationLength(ServiceRequirement requirement) => 2 + requirement.WireLength + (NodeIdLength * requirement.Count);

    public static void WriteFederation(Span<byte> destination, FederationStrategy strategy, int position, ServiceRequirement requirement, NodeId[] assignment)
    {
        destination[0] = (byte)strategy;
        destination[1] = (byte)position;
        var at = 2 + requirement.Write(destination[2..]);
        foreach (var node in assignment)
        {
            WriteNode(destination[at..], node);
            at += NodeIdLength;
        }
    }

    public static bool TryReadFederation(ReadOnlySpan<byte> source, out FederationStrategy strategy, out int position, out ServiceRequirement? requirement, out NodeId[] assignment)
    {
        strategy = default;
        position = 0;
        requirement = null;
        assignment = [];
        if (source.Length < 2 || !Enum.IsDefined((FederationStrategy)source[0]))
            return false;
        strategy = (FederationStrategy)source[0];
        position = source[1];
        if (!ServiceRequirement.TryRead(source[2..], out requirement, out var length) || requirement is null || position >= requirement.Count)
            return false;
        var at = 2 + length;
        if (source.Length < at + (NodeIdLength * requirement.Count))
            return false;
        assignment = new NodeId[requirement.Count];
        for (var i = 0; i < assignment.Length; i++, at += NodeIdLength)
            TryReadNode(source[at..], out assignment[i]);
        return true;
    }

    public static void WriteReport(Span<byte> destination, FederationReport report)
    {
        BinaryPrimitives.WriteInt64BigEndian(destination, report.MessagesDelivered);
        BinaryPrimitives.WriteInt64BigEndian(destination[8..], report.BytesDelivered);
        BinaryPrimitives.WriteInt64BigEndian(destination[16..], report.EndToEndDelay?.Ticks ?? -1);
        BinaryPrimitives.WriteDoubleBigEndian(destination[24..], report.LastHopThroughput);
        BinaryPrimitives.WriteDoubleBigEndian(destination[32..], report.AverageThroughput);
        BinaryPrimitives.WriteInt32BigEndian(destination[40..], report.ServicesApplied);
    }

    /// <summary>Reads an sReport into a copy of <paramref name="report"/> with the sink's figures.</summary>
    public static bool TryReadReport(ReadOnlySpan<byte> source, FederationReport report, out FederationReport updated)
    {
        updated = report;
        if (source.Length < ReportLength)
            return false;
        var delay = BinaryPrimitives.ReadInt64BigEndian(source[16..]);
        var lastHop = BinaryPrimitives.ReadDoubleBigEndian(source[24..]);
        var average = BinaryPrimitives.ReadDoubleBigEndian(source[32..]);
        if (double.IsNaN(lastHop) || double.IsNaN(average))
            return false;
        updated = report with
        {
            MessagesDelivered = BinaryPrimitives.ReadInt64BigEndian(source),
            BytesDelivered = BinaryPrimitives.ReadInt64BigEndian(source[8..]),
            EndToEndDelay = delay < 0 ? null : TimeSpan.FromTicks(delay),
            LastHopThroughput = lastHop,
            AverageThroughput = average,
            ServicesApplied = BinaryPrimitives.ReadInt32BigEndian(source[40..]),
        };
        return true;
    }
}
