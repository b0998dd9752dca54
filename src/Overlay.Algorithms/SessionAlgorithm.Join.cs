namespace Overlay.Algorithms;

// Joining, leaving and failures: queries, acknowledgements, the join handshake, broken links.
public abstract partial class SessionAlgorithm
{
    /// <summary>A link to or from <paramref name="peer"/> failed: it is no longer anyone's parent or child here.</summary>
    protected override void OnBrokenUpstream(NodeId peer)
    {
        base.OnBrokenUpstream(peer);
        OnPeerGone(peer);
    }

    /// <inheritdoc cref="OnBrokenUpstream"/>
    protected override void OnBrokenDownstream(NodeId peer)
    {
        base.OnBrokenDownstream(peer);
        OnPeerGone(peer);
    }

    /// <inheritdoc cref="OnBrokenUpstream"/>
    protected override void OnSendFailed(NodeId peer)
    {
        base.OnSendFailed(peer);
        OnPeerGone(peer);
    }

    private void OnPeerGone(NodeId peer)
    {
        foreach (var session in _sessions.Values)
        {
            if (session.Parent == peer)
            {
                LoseParent(session, tellParent: false);
            }
            else if (session.RemoveChild(peer))
            {
                SendStress(session);
                Publish(session);
                Note($"application {session.ApplicationId}: dropped child {peer}");
            }
        }
    }

    private void Announce(Session session)
    {
        var id = ++_lastAnnouncement;
        _seenAnnouncements.Add((session.ApplicationId, Self, id));
        var announcement = CreateMessage(SessionMessageTypes.Announce, session.ApplicationId, 0);
        announcement.SequenceNumber = id;
        Disseminate(announcement, KnownHosts, _options.GossipProbability);
    }

    private Disposition OnAnnounce(Message message)
    {
        var source = message.Sender;
        if (source == Self || !_seenAnnouncements.Add((message.ApplicationId, source, message.SequenceNumber)))
            return Disposition.Consumed;
        _knownSources[message.ApplicationId] = source;
        if (_sessions.TryGetValue(message.ApplicationId, out var session) && session.Source.IsNone)
            session.Source = source;
        var sent = Disseminate(message, KnownHosts.Where(h => h != message.From && h != source), _options.GossipProbability);
        return sent > 0 ? Disposition.Forwarded : Disposition.Consumed;
    }

    private void StartJoining(Session session)
    {
        session.StopJoining();
        var attempts = 0;
        SendQuery(session, attempts++);
        session.RetryTimer = Schedule(_options.JoinRetryInterval, _options.JoinRetryInterval, () =>
        {
            if (_sessions.TryGetValue(session.ApplicationId, out var current) && current == session && session.Parent.IsNone)
                SendQuery(session, attempts++);
            else
                session.StopJoining();
        });
    }

    private void SendQuery(Session session, int attempt)
    {
        var id = ++_lastQueryId;
        _seenQueries.Add((session.ApplicationId, Self, id));
        var query = CreateMessage(SessionMessageTypes.Query, session.ApplicationId, SessionWire.QueryLength);
        query.SequenceNumber = id;
        SessionWire.WriteQuery(query.Payload, 0);
        var source = session.Source.IsNone ? _knownSources.GetValueOrDefault(session.ApplicationId) : session.Source;
        if (SendQueriesToSource && !source.IsNone)
        {
            Send(query, source);
            return;
        }

        // The first attempt is pure gossip, so "the first tree node reached" means what it says. A retry also asks
        // the source, when known: gossip can fail to find the tree (all known hosts gone, or p < 1), the source cannot.
        IEnumerable<NodeId> targets = attempt > 0 && !source.IsNone ? KnownHosts.Append(source).Distinct() : KnownHosts;
        Disseminate(query, targets, _options.GossipProbability);
    }

    private Disposition OnQuery(Message message, bool walk)
    {
        var applicationId = message.ApplicationId;
        var joiner = message.Sender;
        if (joiner == Self || !SessionWire.TryReadQuery(message.Payload, out var hops))
            return Disposition.Consumed;
        var firstSight = _seenQueries.Add((applicationId, joiner, message.SequenceNumber));
        _sessions.TryGetValue(applicationId, out var session);
        if (session is not null && session.IsAnsweredQuery(joiner, message.SequenceNumber))
            return Disposition.Consumed; // a late copy of the query this child joined with
        if (session is not null && session.IsAttached
            && session.Parent != joiner && !session.PathContains(joiner))
        {
            // A gossiped copy is routed once per node; a walk step is routed wherever it arrives.
            if (!walk && !firstSight)
                return Disposition.Consumed;
            if (session.RemoveChild(joiner))
            {
                // A child that asks to join has lost this node as its parent.
                SendStress(session);
                Publish(session);
            }

            RefreshBandwidth(session);
            RouteQuery(session, new JoinQuery(applicationId, joiner, message.SequenceNumber, hops, walk ? message.From : NodeId.None));
            return Disposition.Consumed;
        }

        // Not in the tree (or below the joiner): pass it on, once.
        if (!firstSight)
            return Disposition.Consumed;
        message.Type = SessionMessageTypes.Query;
        var source = _knownSources.GetValueOrDefault(applicationId);
        if (SendQueriesToSource && !source.IsNone && source != message.From && source != Self)
        {
            Send(message, source);
            return Disposition.Forwarded;
        }

        var sent = Disseminate(message, KnownHosts.Where(h => h != message.From && h != joiner), _options.GossipProbability);
        return sent > 0 ? Disposition.Forwarded : Disposition.Consumed;
    }

    private void OnQueryAck(Message message)
    {
        var acceptor = message.From;
        if (!_sessions.TryGetValue(message.ApplicationId, out var session) || session.IsSource || !session.Parent.IsNone)
            return; // attached already: a later offer is simply not taken up
        if (!SessionWire.TryReadOffer(message.Payload, out var report, out var path) || path.Length == 0 || path[^1] != acceptor)
            return;
        if (Array.IndexOf(path, Self) >= 0)
            return; // the acceptor hangs below this node; taking it as parent would close a cycle

        var offer = new Offer(acceptor, path, report, message.SequenceNumber);
        if (TakesFirstOffer || _options.OfferWindow == TimeSpan.Zero)
        {
            Attach(session, offer);
            return;
        }

        session.Offers.Add(offer);
        session.OfferTimer ??= Schedule(_options.OfferWindow, Timeout.InfiniteTimeSpan, () => TakeBestOffer(session));
    }

    private void TakeBestOffer(Session session)
    {
        var offers = session.Offers.ToArray();
        session.StopCollecting();
        if (offers.Length == 0 || !session.Parent.IsNone
            || !_sessions.TryGetValue(session.ApplicationId, out var current) || current != session)
            return;

        // The lowest stress after accepting, as the walks compare; on a tie the earlier offer.
        var best = offers[0];
        foreach (var offer in offers)
        {
            if (offer.Report.StressIfAccepted < best.Report.StressIfAccepted)
                best = offer;
        }

        Attach(session, best);
    }

    private void Attach(Session session, Offer offer)
    {
        session.StopJoining();
        session.Parent = offer.Acceptor;
        session.SetPath(SessionWire.Extend(offer.Path, Self));
        session.Source = offer.Path[0];
        _knownSources[session.ApplicationId] = offer.Path[0];
        var join = CreateMessage(SessionMessageTypes.Join, session.ApplicationId, 0);
        join.SequenceNumber = offer.QueryId;
        Send(join, offer.Acceptor);

        // After the join on the same link, so the parent already counts this node as a child when the report arrives;
        // the children learn they are connected again.
        RefreshBandwidth(session);
        SendStress(session);
        Publish(session);
        Note($"application {session.ApplicationId}: joined under {offer.Acceptor}, depth {offer.Path.Length}");
    }

    private void OnJoin(Message message)
    {
        var joiner = message.From;
        if (!_sessions.TryGetValue(message.ApplicationId, out var session) || !session.IsAttached
            || joiner == session.Parent || session.PathContains(joiner))
        {
            // Cut off from the source since the offer, or the joiner is above this node: the joiner must look again.
            SendLeave(message.ApplicationId, joiner);
            return;
        }

        session.AddChild(joiner, message.SequenceNumber);
        RefreshBandwidth(session);
        SendStress(session);
        Publish(session);
    }

    private void OnLeave(Message message)
    {
        var peer = message.From;
        if (!_sessions.TryGetValue(message.ApplicationId, out var session))
            return;
        if (peer == session.Parent)
        {
            LoseParent(session, tellParent: false);
        }
        else if (session.RemoveChild(peer))
        {
            SendStress(session);
            Publish(session);
        }
    }

    /// <summary>The parent is gone: keep the subtree, tell it it is cut off, and join again.</summary>
    private void LoseParent(Session session, bool tellParent)
    {
        var parent = session.Parent;
        session.Parent = NodeId.None;
        session.ForgetNeighbour(parent);
        session.SetPath([]);
        if (tellParent)
            SendLeave(session.ApplicationId, parent);
        SendStress(session);
        Note($"application {session.ApplicationId}: lost parent {parent}, joining again");
        StartJoining(session);
        Publish(session);
    }

    private void SendLeave(int applicationId, NodeId peer)
    {
        var leave = CreateMessage(SessionMessageTypes.Leave, applicationId, 0);
        Send(leave, peer);
    }
}
