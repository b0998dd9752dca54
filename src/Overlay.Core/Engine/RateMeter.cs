namespace Overlay.Engine;

/// <summary>
/// Turns a link's ever-growing byte and message counters into rates over the last measurement interval.
/// Sampled on the node's loop; read from any thread.
/// </summary>
internal sealed class RateMeter
{
    private long _lastBytes;
    private long _lastMessages;
    private long _lastStamp;
    private double _bytesPerSecond;
    private double _messagesPerSecond;

    public RateMeter(long stamp) => _lastStamp = stamp;

    public double BytesPerSecond => Volatile.Read(ref _bytesPerSecond);

    public double MessagesPerSecond => Volatile.Read(ref _messagesPerSecond);

    public void Sample(long bytes, long messages, long stamp, TimeProvider time)
    {
        var seconds = time.GetElapsedTime(_lastStamp, stamp).TotalSeconds;
        if (seconds <= 0)
            return;
        // Two fields, not a pair object: a sample allocates nothing (a reader may see one rate of the old sample).
        Volatile.Write(ref _bytesPerSecond, (bytes - _lastBytes) / seconds);
        Volatile.Write(ref _messagesPerSecond, (messages - _lastMessages) / seconds);
        _lastBytes = bytes;
        _lastMessages = messages;
        _lastStamp = stamp;
    }
}
