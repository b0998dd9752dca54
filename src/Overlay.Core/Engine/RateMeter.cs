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
    private Rates _current = new(0, 0);

    public RateMeter(long stamp) => _lastStamp = stamp;

    public double BytesPerSecond => Volatile.Read(ref _current).Bytes;

    public double MessagesPerSecond => Volatile.Read(ref _current).Messages;

    public void Sample(long bytes, long messages, long stamp, TimeProvider time)
    {
        var seconds = time.GetElapsedTime(_lastStamp, stamp).TotalSeconds;
        if (seconds <= 0)
            return;
        Volatile.Write(ref _current, new Rates((bytes - _lastBytes) / seconds, (messages - _lastMessages) / seconds));
        _lastBytes = bytes;
        _lastMessages = messages;
        _lastStamp = stamp;
    }

    private sealed record Rates(double Bytes, double Messages);
}
