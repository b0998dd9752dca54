namespace Overlay.Algorithms.Tests.Coding;

/// <summary>Records the sequence numbers a node delivers and counts payloads that differ from the source's pattern.</summary>
internal sealed class StreamSink
{
    private readonly List<int> _sequences = [];
    private int _corrupt;

    public List<int> Sequences
    {
        get
        {
            lock (_sequences)
                return [.. _sequences];
        }
    }

    public int Corrupt => Volatile.Read(ref _corrupt);

    /// <summary>The consumer callback: runs on the node's loop.</summary>
    public void Accept(Message message)
    {
        if (!SourceOptions.IsPattern(message))
            Interlocked.Increment(ref _corrupt);
        lock (_sequences)
            _sequences.Add(message.SequenceNumber);
    }
}
