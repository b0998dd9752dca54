using System.Buffers.Binary;

namespace Overlay.Observer;

/// <summary>Reads and writes a list of node identities (6 bytes each) as carried by bootstrap messages.</summary>
public static class BootstrapList
{
    /// <summary>Bytes per node identity.</summary>
    public const int EntrySize = 6;

    /// <summary>The node identities in <paramref name="message"/>'s payload.</summary>
    public static IReadOnlyList<NodeId> Read(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Read(message.Payload);
    }

    /// <summary>The node identities in <paramref name="payload"/>.</summary>
    public static IReadOnlyList<NodeId> Read(ReadOnlySpan<byte> payload)
    {
        var nodes = new List<NodeId>(payload.Length / EntrySize);
        for (var offset = 0; offset + EntrySize <= payload.Length; offset += EntrySize)
            nodes.Add(new NodeId(BinaryPrimitives.ReadUInt32BigEndian(payload[offset..]), BinaryPrimitives.ReadUInt16BigEndian(payload[(offset + 4)..])));
        return nodes;
    }

    /// <summary>Writes <paramref name="nodes"/> into <paramref name="payload"/> (at least <see cref="EntrySize"/> × count bytes).</summary>
    public static void Write(IReadOnlyList<NodeId> nodes, Span<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        for (var i = 0; i < nodes.Count; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(payload[(i * EntrySize)..], nodes[i].Address);
            BinaryPrimitives.WriteUInt16BigEndian(payload[((i * EntrySize) + 4)..], nodes[i].Port);
        }
    }
}
