using System.Buffers.Binary;

namespace Overlay;

/// <summary>
/// The payload of a <see cref="MessageTypes.MeasurementResult"/> message, the engine's answer to
/// <see cref="Algorithm.MeasurePeer"/>; the message's sender field names the measured peer.
/// </summary>
/// <param name="BytesPerSecond">Available bandwidth towards the peer measured with a probe train; null when the measurement failed.</param>
/// <param name="RoundTripTime">Round-trip time to the peer; null when unknown.</param>
public readonly record struct MeasurementResult(double? BytesPerSecond, TimeSpan? RoundTripTime)
{
    internal const int Size = 16;

    /// <summary>Reads a result from a measurement message.</summary>
    /// <returns>False when the message is not a measurement result.</returns>
    public static bool TryRead(Message message, out MeasurementResult result)
    {
        ArgumentNullException.ThrowIfNull(message);
        result = default;
        if (message.Type != MessageTypes.MeasurementResult || message.PayloadLength < Size)
            return false;
        var rate = BinaryPrimitives.ReadDoubleLittleEndian(message.Payload);
        var rtt = BinaryPrimitives.ReadInt64LittleEndian(message.Payload[8..]);
        result = new MeasurementResult(double.IsNaN(rate) ? null : rate, rtt < 0 ? null : TimeSpan.FromTicks(rtt));
        return true;
    }

    internal void Write(Span<byte> payload)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(payload, BytesPerSecond ?? double.NaN);
        BinaryPrimitives.WriteInt64LittleEndian(payload[8..], RoundTripTime?.Ticks ?? -1);
    }
}
