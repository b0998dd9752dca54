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
    private volatile bool _reportedIdle;

    public RateMeter(long stamp) => _lastStamp = stamp;

    public double BytesPerSecond => Volatile.Read(ref _bytesPerSecond);

    public double MessagesPerSecond => Volatile.Read(ref _messagesPerSecond);

    /// <param name="bytes">The link's byte counter now.</param>
    /// <param name="messages">The link's message counter now.</param>
    /// <param name="stamp">Now.</param>
    /// <param name="time">The clock of <paramref name="stamp"/>.</param>
    /// <param name="interval">The measurement interval.</param>
    public void Sample(long bytes, long messages, long stamp, TimeProvider time, TimeSpan interval)
    {
        var seconds = time.GetElapsedTime(_lastStamp, stamp).TotalSeconds;
        if (seconds <= 0)
            return;

        // A meter reported idle is not sampled while its counters stand still (the node is not even woken), so its
        // last sample may be long ago. Whatever moved since then moved after the last tick that found it settled,
        // within about one interval: dividing by the whole idle spell would report a fraction of the real rate.
        if (_reportedIdle && seconds > interval.TotalSeconds)
            seconds = interval.TotalSeconds;
        // Two fields, not a pair object: a sample allocates nothing (a reader may see one rate of the old sample).
        Volatile.Write(ref _bytesPerSecond, (bytes - _lastBytes) / seconds);
        Volatile.Write(ref _messagesPerSecond, (messages - _lastMessages) / seconds);
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
        var idle = Volatile.Read(ref _bytesPerSecond) == 0 && Volatile.Read(ref _messagesPerSecond) == 0;
        if (idle && _reportedIdle)
            return false;
        _reportedIdle = idle;
        return true;
    }
}
