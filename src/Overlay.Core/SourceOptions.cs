namespace Overlay;

/// <summary>How an application data source produces its messages.</summary>
public sealed class SourceOptions
{
    /// <summary>Payload bytes per message.</summary>
    /// <remarks>Defaults to 5,120 (the paper's 5 KB messages).</remarks>
    public int PayloadLength { get; set; } = 5 * 1024;

    /// <summary>How many messages to produce before the source ends; null for no end.</summary>
    /// <remarks>Defaults to null.</remarks>
    public long? MessageLimit { get; set; }

    /// <summary>
    /// Fills each new message's payload. Runs on the node's loop. Null writes the pattern of
    /// <see cref="FillPattern"/>, which a receiver can check with <see cref="IsPattern"/>.
    /// </summary>
    /// <remarks>Defaults to null.</remarks>
    public Action<Message>? Fill { get; set; }

    /// <summary>Writes a payload that depends on the sequence number and application, so corruption and mix-ups show.</summary>
    public static void FillPattern(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var payload = message.Payload;
        var seed = unchecked((uint)(message.SequenceNumber * 2654435761u) ^ (uint)message.ApplicationId);
        for (var i = 0; i < payload.Length; i++)
            payload[i] = (byte)(seed + (uint)i * 31u + (uint)(i >> 8));
    }

    /// <summary>True when the payload is exactly what <see cref="FillPattern"/> writes for this message's header.</summary>
    public static bool IsPattern(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var payload = message.Payload;
        var seed = unchecked((uint)(message.SequenceNumber * 2654435761u) ^ (uint)message.ApplicationId);
        for (var i = 0; i < payload.Length; i++)
        {
            if (payload[i] != (byte)(seed + (uint)i * 31u + (uint)(i >> 8)))
                return false;
        }

        return true;
    }

    internal SourceOptions Copy() => new() { PayloadLength = PayloadLength, MessageLimit = MessageLimit, Fill = Fill };
}
