namespace Overlay.Algorithms;

/// <summary>Data received by one node in one session; written on the node's loop, read from any thread.</summary>
internal sealed class SessionCounters
{
    private long _messages;
    private long _bytes;

    public long Messages => Interlocked.Read(ref _messages);

    public long Bytes => Interlocked.Read(ref _bytes);

    public void Add(int payloadBytes)
    {
        Interlocked.Increment(ref _messages);
        Interlocked.Add(ref _bytes, payloadBytes);
    }
}
