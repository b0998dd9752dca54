using System.Collections.Concurrent;
using Overlay.Emulation;

namespace Overlay.Algorithms;

/// <summary>
/// Application sessions over a one-source dissemination tree, after iOverlay's session utilities: a source announces
/// its session (sAnnounce), nodes join with a gossiped query (sQuery) that a tree node acknowledges (sQueryAck; the
/// joiner takes the first offer or the least stressed of those within a short window, see <see cref="TakesFirstOffer"/>), each
/// node tracks its parent and children per application, forwards the application's data to its children, and
/// exchanges its node stress (degree / available bandwidth) with its tree neighbours periodically. Derived classes
/// decide only where a query that reached the tree is accepted: <see cref="RouteQuery"/>.
/// </summary>
/// <remarks>
/// <para>Failures: when a node's parent goes (its link breaks, or it sends <see cref="SessionMessageTypes.Leave"/>),
/// the node keeps its own subtree, tells it that it is cut off from the source, and joins again; a parent drops a
/// child whose link broke. A query is never accepted by a node below the joiner, so a returning subtree cannot close
/// a cycle: every node knows its path from the source, and both the acceptor and the joiner check it.</para>
/// <para>Everything runs on the node's loop, like any algorithm. The public methods that change state
/// (<see cref="StartSession"/>, <see cref="JoinSession"/>, <see cref="LeaveSession"/>) are called through
/// <see cref="OverlayNode.InvokeAsync"/>; the observer's join and leave commands
/// (<see cref="MessageTypes.JoinRequested"/>, <see cref="MessageTypes.LeaveRequested"/>) call them too.</para>
/// </remarks>
public abstract partial class SessionAlgorithm : GossipAlgorithm
{
    // Enough to suppress duplicates of every query and announcement still travelling.
    private const int RecentCapacity = 8192;

    private readonly SessionOptions _options;
    private readonly Dictionary<int, Session> _sessions = [];
    private readonly Dictionary<int, NodeId> _knownSources = [];
    private readonly ConcurrentDictionary<int, (SessionSnapshot Snapshot, SessionCounters Counters)> _published = new();
    private readonly RecentSet<(int Application, NodeId Origin, int Id)> _seenQueries = new(RecentCapacity);
    private readonly RecentSet<(int Application, NodeId Origin, int Id)> _acceptedQueries = new(RecentCapacity);
    private readonly RecentSet<(int Application, NodeId Origin, int Id)> _seenAnnouncements = new(RecentCapacity);
    private IDisposable? _stressTimer;
    private int _lastQueryId;
    private int _lastAnnouncement;

    /// <summary>Creates the algorithm.</summary>
    /// <param name="options">Settings, copied now; null for the defaults.</param>
    protected SessionAlgorithm(SessionOptions? options = null)
        : base(options?.Seed)
    {
        _options = (options ?? new SessionOptions()).Copy();
    }

    /// <summary>The settings this algorithm runs with.</summary>
    protected SessionOptions Options => _options;

    /// <summary>
    /// True when queries should go straight to the session's source whenever it is known (the all-unicast control):
    /// the joiner sends its query there, and nodes outside the tree pass queries there instead of gossiping them.
    /// </summary>
    protected virtual bool SendQueriesToSource => false;

    /// <summary>
    /// True when a joiner takes the first acknowledgement that arrives (the randomized control); false (the default)
    /// when it collects them for <see cref="SessionOptions.OfferWindow"/> and takes the one whose acceptor would have
    /// the lowest stress.
    /// </summary>
    protected virtual bool TakesFirstOffer => false;

    /// <summary>
    /// Makes this node the source of <paramref name="applicationId"/>: the root of its tree. Starts the data source
    /// when <paramref name="source"/> is given (otherwise deploy one later, e.g. with
    /// <see cref="OverlayNode.DeploySourceAsync"/>), and announces the session to the known hosts. Call on the node's loop.
    /// </summary>
    /// <remarks>A data source deployed on the node without this call starts the session with its first message.</remarks>
    /// <exception cref="InvalidOperationException">This node already takes part in the application.</exception>
    public void StartSession(int applicationId, SourceOptions? source = null)
    {
        if (_sessions.ContainsKey(applicationId))
            throw new InvalidOperationException($"This node already takes part in application {applicationId}.");
        var session = new Session(applicationId, isSource: true) { Source = Self };
        session.SetPath([Self]);
        _sessions.Add(applicationId, session);
        _knownSources[applicationId] = Self;
        RefreshBandwidth(session);
        Publish(session);
        if (source is not null)
            DeploySource(applicationId, source);
        Announce(session);
        if (_options.AnnounceInterval != Timeout.InfiniteTimeSpan)
            session.AnnounceTimer = Schedule(_options.AnnounceInterval, _options.AnnounceInterval, () => Announce(session));
    }

    /// <summary>
    /// Starts joining <paramref name="applicationId"/>: an sQuery goes out now and again every
    /// <see cref="SessionOptions.JoinRetryInterval"/> until a tree node's acknowledgement attaches this node. Does
    /// nothing when the node is attached or already joining. Call on the node's loop.
    /// </summary>
    public void JoinSession(int applicationId)
    {
        if (_sessions.TryGetValue(applicationId, out var session))
        {
            if (session.IsSource || !session.Parent.IsNone || session.IsJoining)
                return;
        }
        else
        {
            session = new Session(applicationId, isSource: false) { Source = _knownSources.GetValueOrDefault(applicationId) };
            _sessions.Add(applicationId, session);
        }

        RefreshBandwidth(session);
        StartJoining(session);
        Publish(session);
    }

    /// <summary>
    /// Leaves <paramref name="applicationId"/>: parent and children are told (the children join again elsewhere), and
    /// on the source the data source stops. Call on the node's loop.
    /// </summary>
    public void LeaveSession(int applicationId)
    {
        if (!_sessions.Remove(applicationId, out var session))
            return;
        session.StopJoining();
        session.AnnounceTimer?.Dispose();
        if (!session.Parent.IsNone)
            SendLeave(applicationId, session.Parent);
        foreach (var child in session.Children)
            SendLeave(applicationId, child);
        _published.TryRemove(applicationId, out _);
        Note($"left application {applicationId}");
        if (session.IsSource)
            TerminateSource(applicationId);
    }

    /// <summary>This node's state in <paramref name="applicationId"/>, or null when it takes no part. Call on the node's loop.</summary>
    protected Session? FindSession(int applicationId) => _sessions.GetValueOrDefault(applicationId);

    /// <summary>This node's place in <paramref name="applicationId"/>'s tree, or null when it takes no part. Thread-safe.</summary>
    public SessionSnapshot? GetSnapshot(int applicationId)
    {
        if (!_published.TryGetValue(applicationId, out var published))
            return null;
        return published.Snapshot with
        {
            MessagesReceived = published.Counters.Messages,
            BytesReceived = published.Counters.Bytes,
        };
    }

    /// <inheritdoc />
    public override Disposition Process(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        switch (message.Type)
        {
            case MessageTypes.Data:
                return OnData(message);
            case SessionMessageTypes.Announce:
                return OnAnnounce(message);
            case SessionMessageTypes.Query:
                return OnQuery(message, walk: false);
            case SessionMessageTypes.QueryWalk:
                return OnQuery(message, walk: true);
            case SessionMessageTypes.QueryAck:
                OnQueryAck(message);
                return Disposition.Consumed;
            case SessionMessageTypes.Join:
                OnJoin(message);
                return Disposition.Consumed;
            case SessionMessageTypes.Leave:
                OnLeave(message);
                return Disposition.Consumed;
            case SessionMessageTypes.Stress:
                OnStress(message);
                return Disposition.Consumed;
            case MessageTypes.JoinRequested:
                JoinSession(message.ApplicationId);
                return Disposition.Consumed;
            case MessageTypes.LeaveRequested:
                LeaveSession(message.ApplicationId);
                return Disposition.Consumed;
            default:
                return base.Process(message);
        }
    }

    /// <summary>
    /// Decides what the tree node running this does with a query that reached it: accept it
    /// (<see cref="AcceptQuery"/>) or pass it to another tree node (<see cref="ForwardQuery"/>). Runs only on an
    /// attached node that is not below the joiner; <see cref="Session.Bandwidth"/> is fresh.
    /// </summary>
    protected abstract void RouteQuery(Session session, JoinQuery query);

    /// <summary>Offers this node as the joiner's parent (sQueryAck); the joiner becomes a child when it answers with a join.</summary>
    protected void AcceptQuery(Session session, JoinQuery query)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (!session.IsAttached || query.Joiner == Self || session.PathContains(query.Joiner))
            return;

        // A query can reach the acceptor along several paths; one offer is enough.
        if (!_acceptedQueries.Add((query.ApplicationId, query.Joiner, query.QueryId)))
            return;
        var path = session.PathArray;
        var ack = CreateMessage(SessionMessageTypes.QueryAck, query.ApplicationId, SessionWire.OfferLength(path.Length));
        ack.SequenceNumber = query.QueryId;
        SessionWire.WriteOffer(ack.Payload, session.Own, path);
        Send(ack, query.Joiner);
    }

    /// <summary>Passes the query on to <paramref name="next"/>, a tree node, which routes it in turn.</summary>
    /// <remarks>Past <see cref="SessionOptions.MaxWalkHops"/> this node accepts instead, so a walk always ends.</remarks>
    protected void ForwardQuery(Session session, JoinQuery query, NodeId next)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (next == Self || next.IsNone || query.Hops + 1 > _options.MaxWalkHops)
        {
            AcceptQuery(session, query);
            return;
        }

        var walk = CreateMessage(SessionMessageTypes.QueryWalk, query.ApplicationId, SessionWire.QueryLength);
        walk.Sender = query.Joiner;
        walk.SequenceNumber = query.QueryId;
        SessionWire.WriteQuery(walk.Payload, query.Hops + 1);
        Send(walk, next);
    }

    /// <summary>Starts the periodic stress exchange. Derived classes that override this call it.</summary>
    protected override void OnStart()
    {
        base.OnStart();
        _stressTimer = Schedule(_options.StressInterval, _options.StressInterval, ExchangeStress);
    }

    /// <summary>Stops the periodic work. Derived classes that override this call it.</summary>
    protected override void OnStop()
    {
        _stressTimer?.Dispose();
        foreach (var session in _sessions.Values)
        {
            session.StopJoining();
            session.AnnounceTimer?.Dispose();
        }

        base.OnStop();
    }

    private Disposition OnData(Message message)
    {
        if (!_sessions.TryGetValue(message.ApplicationId, out var session))
        {
            if (message.From != Self)
                return Disposition.Consumed;

            // A source deployed on this node directly (the observer's deploy command, DeploySourceAsync) makes it
            // the root of that application's session, as if StartSession had been called.
            StartSession(message.ApplicationId);
            session = _sessions[message.ApplicationId];
        }

        if (message.From == Self)
        {
            if (!session.IsSource)
                return Disposition.Consumed;
        }
        else if (message.From != session.Parent)
        {
            // From a former parent, still in flight: forwarding it would send children duplicates.
            return Disposition.Consumed;
        }
        else
        {
            session.Counters.Add(message.PayloadLength);
        }

        var children = session.Children;
        if (children.Count == 0)
            return Disposition.Consumed;
        foreach (var child in children)
            Send(message, child);
        return Disposition.Forwarded;
    }

    private void ExchangeStress()
    {
        foreach (var session in _sessions.Values)
        {
            RefreshBandwidth(session);
            SendStress(session);
        }
    }

    /// <summary>Sends this node's stress and path to its parent and children.</summary>
    private void SendStress(Session session)
    {
        if (session.Parent.IsNone && session.Children.Count == 0)
            return;
        var path = session.PathArray;
        var report = CreateMessage(SessionMessageTypes.Stress, session.ApplicationId, SessionWire.StressLength(path.Length));
        SessionWire.WriteStress(report.Payload, session.Degree, session.Bandwidth, path);
        if (!session.Parent.IsNone)
            Send(report, session.Parent);
        foreach (var child in session.Children)
            Send(report, child);
    }

    private void OnStress(Message message)
    {
        var peer = message.From;
        if (!SessionWire.TryReadStress(message.Payload, out var report, out var path))
            return;
        if (!_sessions.TryGetValue(message.ApplicationId, out var session))
        {
            SendLeave(message.ApplicationId, peer);
            return;
        }

        if (peer == session.Parent)
        {
            session.SetNeighbour(peer, report);
            if (Array.IndexOf(path, Self) >= 0)
            {
                // The parent hangs below this node: a cycle, which the checks at join time should have prevented.
                LoseParent(session, tellParent: true);
                return;
            }

            var changed = session.SetPath(path.Length == 0 ? [] : SessionWire.Extend(path, Self));
            if (path.Length > 0 && session.Source != path[0])
            {
                session.Source = path[0];
                _knownSources[session.ApplicationId] = path[0];
            }

            if (changed)
            {
                // Attached or cut off: the subtree learns at once rather than a stress period per level later.
                SendStress(session);
                Publish(session);
            }
        }
        else if (session.HasChild(peer))
        {
            session.SetNeighbour(peer, report);
        }
        else
        {
            // The peer counts this node as parent or child and this node does not: set it straight.
            SendLeave(message.ApplicationId, peer);
        }
    }

    /// <summary>Traces a tree event while the node runs.</summary>
    /// <remarks>
    /// A node that has begun to stop has already closed its observer session, and a trace written then would stay in
    /// that session's outbox, never sent and never returned to the pool; links breaking during a stop would do just that.
    /// </remarks>
    private void Note(string text)
    {
        if (Node.IsRunning)
            Trace(text);
    }

    private void RefreshBandwidth(Session session) =>
        session.Bandwidth = _options.Bandwidth ?? EmulatedUploadLimit() ?? double.PositiveInfinity;

    /// <summary>
    /// What this node can send at most: the lower of its upload and total limits (a tree node's load is what it sends
    /// to its children, so a node limited only in upload is just as loaded as one limited in total); null for neither.
    /// </summary>
    private double? EmulatedUploadLimit() =>
        (Node.GetBandwidth(BandwidthScope.Upload), Node.GetBandwidth(BandwidthScope.Total)) switch
        {
            ({ } upload, { } total) => Math.Min(upload, total),
            ({ } upload, null) => upload,
            (null, var total) => total,
        };

    private void Publish(Session session)
    {
        var snapshot = new SessionSnapshot(
            session.ApplicationId,
            Self,
            session.Source,
            session.IsSource,
            session.Parent,
            [.. session.Children],
            [.. session.Path],
            session.Degree,
            session.Bandwidth,
            0,
            0);
        _published[session.ApplicationId] = (snapshot, session.Counters);
    }
}
