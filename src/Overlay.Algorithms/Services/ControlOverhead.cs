using Overlay.Wire;

namespace Overlay.Algorithms.Services;

/// <summary>
/// Control messages one node sent, per type of <see cref="ServiceMessageTypes"/>: messages and bytes on the wire
/// (header and payload, per destination). Data and the engine's own traffic (keep-alives, bandwidth probes) are not
/// counted. Thread-safe.
/// </summary>
public sealed class ControlOverhead
{
    private readonly long[] _bytes = new long[ServiceMessageTypes.Count];
    private readonly long[] _messages = new long[ServiceMessageTypes.Count];

    /// <summary>Bytes sent of <paramref name="type"/>.</summary>
    public long BytesOf(int type) => Volatile.Read(ref _bytes[Slot(type)]);

    /// <summary>Messages sent of <paramref name="type"/>.</summary>
    public long MessagesOf(int type) => Volatile.Read(ref _messages[Slot(type)]);

    /// <summary>Bytes sent of every type.</summary>
    public long TotalBytes
    {
        get
        {
            long total = 0;
            for (var i = 0; i < _bytes.Length; i++)
                total += Volatile.Read(ref _bytes[i]);
            return total;
        }
    }

    /// <summary>Counts one message of <paramref name="type"/> with <paramref name="payloadLength"/> payload bytes sent to one destination.</summary>
    internal void Count(int type, int payloadLength)
    {
        var slot = Slot(type);
        Interlocked.Add(ref _bytes[slot], MessageHeader.Size + payloadLength);
        Interlocked.Increment(ref _messages[slot]);
    }

    private static int Slot(int type) =>
        type is >= ServiceMessageTypes.First and <= ServiceMessageTypes.Last
            ? type - ServiceMessageTypes.First
            : throw new ArgumentOutOfRangeException(nameof(type), type, "Not a service federation message type.");
}
