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
    private volatile bool _reportedIdle;

    public RateMeter(long stamp) => _lastStamp = stamp;

    public double BytesPerSecond => Volatile.Read(ref _current).Bytes;

    public double MessagesPerSecond => Volatile.Read(ref _current).Messages;

    public void Sample(long bytes, long messages, long stamp, TimeProvider time)
    {
        var seconds = time.GetElapsedTime(_lastStamp, stamp).TotalSeconds;
        if (seconds <= 0)
            return;
        Volatile.Write(ref _current, new Rates((bytes - _lastBytes) / seconds, (messages - _lastMessages) / seconds));
        Volatile.Write(ref _lastBytes, bytes);
        Volatile.Write(ref _lastMessages, messages);
        _lastStamp = stamp;
    }

    /// <summary>
    /// True when sampling again would change nothing: the counters still read as at the last sample and that
    /// sample was zero and reported. Any thread.
    /// </summary>
    public bool IsSettled(long bytes, long messages) =>
        _reportedIdle && Volatile.Read(ref _lastBytes) == bytes && Volatile.Read(ref _lastMessages) == messages;

    /// <summary>
    /// True when the current rate is news for the algorithm: any non-zero rate, and the first zero after one.
    /// An idle link is reported idle once, not every interval. Loop only.
    /// </summary>
    public bool TakeReport()
    {
        var current = Volatile.Read(ref _current);
        var idle = current.Bytes == 0 && current.Messages == 0;
        if (idle && _reportedIdle)
            return false;
        _reportedIdle = idle;
        return true;
    }

    private sealed record Rates(double Bytes, double Messages);
}
