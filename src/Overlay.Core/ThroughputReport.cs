using System.Buffers.Binary;

namespace Overlay;

/// <summary>
/// The payload of the engine's periodic <see cref="MessageTypes.UpThroughput"/> and
/// <see cref="MessageTypes.DownThroughput"/> messages (iOverlay's UpThroughput/DownThroughput); the message's
/// sender field names the peer.
/// </summary>
/// <param name="BytesPerSecond">Frame bytes per second over the last measurement interval.</param>
/// <param name="MessagesPerSecond">Messages per second over the last measurement interval.</param>
/// <param name="RoundTripTime">Last measured round-trip time of a downstream link; null when unknown or upstream.</param>
public readonly record struct ThroughputReport(double BytesPerSecond, double MessagesPerSecond, TimeSpan? RoundTripTime)
{
    /// <summary>Payload size of a report.</summary>
    internal const int Size = 24;

    /// <summary>Reads a report from a throughput message.</summary>
    /// <returns>False when the message is not a throughput report.</returns>
    public static bool TryRead(Message message, out ThroughputReport report)
    {
        ArgumentNullException.ThrowIfNull(message);
        report = default;
        if ((message.Type != MessageTypes.UpThroughput && message.Type != MessageTypes.DownThroughput) || message.PayloadLength < Size)
            return false;
        var payload = message.Payload;
        var rttTicks = BinaryPrimitives.ReadInt64LittleEndian(payload[16..]);
        report = new ThroughputReport(
            BinaryPrimitives.ReadDoubleLittleEndian(payload),
            BinaryPrimitives.ReadDoubleLittleEndian(payload[8..]),
            rttTicks < 0 ? null : TimeSpan.FromTicks(rttTicks));
        return true;
    }

    internal void Write(Span<byte> payload)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(payload, BytesPerSecond);
        BinaryPrimitives.WriteDoubleLittleEndian(payload[8..], MessagesPerSecond);
        BinaryPrimitives.WriteInt64LittleEndian(payload[16..], RoundTripTime?.Ticks ?? -1);
    }
}
