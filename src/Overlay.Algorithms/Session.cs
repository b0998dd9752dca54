namespace Overlay.Algorithms;

/// <summary>
/// One node's state in one application's dissemination tree, as <see cref="SessionAlgorithm"/> keeps it. Read it on
/// the node's loop only (in <see cref="SessionAlgorithm.RouteQuery"/> and other callbacks); other threads use
/// <see cref="SessionAlgorithm.GetSnapshot"/>.
/// </summary>
public sealed class Session
{
    private readonly List<NodeId> _children = [];
    private readonly Dictionary<NodeId, int> _childQueries = [];
    private readonly Dictionary<NodeId, StressReport> _neighbours = [];
    private NodeId[] _path = [];

    internal Session(int applicationId, bool isSource)
    {
        ApplicationId = applicationId;
        IsSource = isSource;
    }

    /// <summary>The application.</summary>
    public int ApplicationId { get; }

    /// <summary>True on the node that runs the session's data source (the root).</summary>
    public bool IsSource { get; }

    /// <summary>The session's source, or <see cref="NodeId.None"/> while unknown.</summary>
    public NodeId Source { get; internal set; }

    /// <summary>The parent, or <see cref="NodeId.None"/> on the source and on a node that is not attached.</summary>
    public NodeId Parent { get; internal set; }

    /// <summary>The children, in the order they joined.</summary>
    public IReadOnlyList<NodeId> Children => _children;

    /// <summary>The path from the source to this node (both included); empty while not connected to the source.</summary>
    public IReadOnlyList<NodeId> Path => _path;

    /// <summary>True while the node is connected to the source through the tree.</summary>
    public bool IsAttached => _path.Length > 0;

    /// <summary>Parent (0 or 1) plus children: the paper's node degree.</summary>
    public int Degree => (Parent.IsNone ? 0 : 1) + _children.Count;

    /// <summary>The available bandwidth this node's stress is computed with, in bytes per second.</summary>
    public double Bandwidth { get; internal set; } = double.PositiveInfinity;

    /// <summary>This node's degree and bandwidth.</summary>
    public StressReport Own => new(Degree, Bandwidth);

    /// <summary>The last stress report of each tree neighbour (parent and children) that has sent one.</summary>
    public IReadOnlyDictionary<NodeId, StressReport> Neighbours => _neighbours;

    /// <summary>True between a join request and the acknowledgement that attaches the node.</summary>
    public bool IsJoining => RetryTimer is not null;

    internal NodeId[] PathArray => _path;

    internal IDisposable? RetryTimer { get; set; }

    internal IDisposable? AnnounceTimer { get; set; }

    internal SessionCounters Counters { get; } = new();

    /// <summary>Offers collected during the offer window, in arrival order.</summary>
    internal List<Offer> Offers { get; } = [];

    internal IDisposable? OfferTimer { get; set; }

    internal bool HasChild(NodeId peer) => _children.Contains(peer);

    /// <summary>Adds a child that joined with query <paramref name="queryId"/>.</summary>
    internal void AddChild(NodeId peer, int queryId)
    {
        if (!_children.Contains(peer))
            _children.Add(peer);
        _childQueries[peer] = queryId;
    }

    internal bool RemoveChild(NodeId peer)
    {
        _neighbours.Remove(peer);
        _childQueries.Remove(peer);
        return _children.Remove(peer);
    }

    /// <summary>
    /// True when <paramref name="peer"/> is a child that joined with query <paramref name="queryId"/> or a later one:
    /// a copy of that query still travelling is answered already. A joiner numbers its queries upwards.
    /// </summary>
    internal bool IsAnsweredQuery(NodeId peer, int queryId) =>
        _childQueries.TryGetValue(peer, out var joinedWith) && queryId <= joinedWith;

    internal void SetNeighbour(NodeId peer, StressReport report) => _neighbours[peer] = report;

    internal void ForgetNeighbour(NodeId peer) => _neighbours.Remove(peer);

    /// <summary>Sets the path; true when it changed.</summary>
    internal bool SetPath(NodeId[] path)
    {
        if (path.AsSpan().SequenceEqual(_path))
            return false;
        _path = path;
        return true;
    }

    internal bool PathContains(NodeId node) => Array.IndexOf(_path, node) >= 0;

    internal void StopJoining()
    {
        RetryTimer?.Dispose();
        RetryTimer = null;
        StopCollecting();
    }

    internal void StopCollecting()
    {
        OfferTimer?.Dispose();
        OfferTimer = null;
        Offers.Clear();
    }
}
