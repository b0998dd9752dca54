namespace Overlay.Perf;

/// <summary>Messages and payload bytes that reached a sink; written by the sink alone, read by the meter.</summary>
internal sealed class ThroughputCounter
{
    private long _messages;
    private long _payloadBytes;

    /// <summary>Counts delivered messages. Single writer: a node's loop or one socket task.</summary>
    public void Add(long messages, long payloadBytes)
    {
        Volatile.Write(ref _messages, _messages + messages);
        Volatile.Write(ref _payloadBytes, _payloadBytes + payloadBytes);
    }

    public (long Messages, long PayloadBytes) Read() => (Volatile.Read(ref _messages), Volatile.Read(ref _payloadBytes));
}
