namespace Overlay.Testing;

/// <summary>
/// Forwards the first copy of each data message to all its children and records, per upstream, the sequence
/// numbers that arrived and whether their payloads were intact.
/// </summary>
internal class RelayAlgorithm : Algorithm
{
    private readonly Dictionary<NodeId, List<int>> _arrivals = [];
    private readonly HashSet<(int, int)> _seen = [];
    private readonly object _gate = new();
    private readonly List<(NodeId, int, DateTime)> _failures = [];
    private readonly Dictionary<NodeId, DateTime> _lastArrival = [];
    private long _corrupt;
    private long _delivered;

    public List<NodeId> Children { get; } = [];

    /// <summary>Suppress duplicates arriving over several paths (forward and deliver the first copy only).</summary>
    public bool Deduplicate { get; init; }

    public long Delivered => Interlocked.Read(ref _delivered);

    public long Corrupt => Interlocked.Read(ref _corrupt);

    public List<int> ArrivalsFrom(NodeId upstream)
    {
        lock (_gate)
            return _arrivals.TryGetValue(upstream, out var list) ? [.. list] : [];
    }

    public DateTime LastArrivalFrom(NodeId upstream)
    {
        lock (_gate)
            return _lastArrival.GetValueOrDefault(upstream);
    }

    public IReadOnlyList<NodeId> Upstreams
    {
        get
        {
            lock (_gate)
                return [.. _arrivals.Keys];
        }
    }

    public override Disposition Process(Message message)
    {
        if (message.Type != MessageTypes.Data)
            return base.Process(message);
        OnData(message);
        if (message.From != Self)
        {
            lock (_gate)
            {
                if (!_arrivals.TryGetValue(message.From, out var list))
                    _arrivals[message.From] = list = [];
                list.Add(message.SequenceNumber);
                _lastArrival[message.From] = DateTime.UtcNow;
            }

            if (!SourceOptions.IsPattern(message))
                Interlocked.Increment(ref _corrupt);
        }

        if (Deduplicate && !_seen.Add((message.ApplicationId, message.SequenceNumber)))
            return Disposition.Consumed;
        Interlocked.Increment(ref _delivered);
        foreach (var child in Children)
            Send(message, child);
        return Children.Count > 0 ? Disposition.Forwarded : Disposition.Consumed;
    }

    /// <summary>Peers whose links broke, in the order the engine reported them.</summary>
    public List<(NodeId Peer, int Type, DateTime At)> Failures
    {
        get
        {
            lock (_gate)
                return [.. _failures];
        }
    }

    // The sensible default for a relay: forget a child whose link broke (or never opened).
    protected override void OnBrokenDownstream(NodeId peer)
    {
        Children.Remove(peer);
        Record(peer, MessageTypes.BrokenDownstream);
    }

    protected override void OnSendFailed(NodeId peer)
    {
        Children.Remove(peer);
        Record(peer, MessageTypes.SendFailed);
    }

    protected override void OnBrokenUpstream(NodeId peer) => Record(peer, MessageTypes.BrokenUpstream);

    private void Record(NodeId peer, int type)
    {
        lock (_gate)
            _failures.Add((peer, type, DateTime.UtcNow));
    }

    /// <summary>Hook for tests that slow the algorithm down or watch it.</summary>
    protected virtual void OnData(Message message)
    {
    }
}
