using System.Buffers.Binary;

namespace Overlay.Algorithms.Services;

/// <summary>The service overlay: announcements (sAware), the service graph, bandwidth measurements and reach reports.</summary>
public sealed partial class ServiceFederationAlgorithm
{
    private readonly RecentSet<(NodeId Origin, int Id)> _seenAware = new(RecentCapacity);
    private readonly RecentSet<(NodeId Origin, int Service)> _seenForward = new(RecentCapacity);
    private readonly Dictionary<NodeId, long> _measuredAt = [];
    private readonly Dictionary<int, double> _announcedReach = [];
    private readonly HashSet<NodeId> _reachOwed = [];
    private NodeId _measuring;
    private long _measuringSince;
    private long _reachSentAt;
    private int _lastAware;

    private void Announce(int service)
    {
        AbsorbKnownHosts();
        var aware = CreateMessage(ServiceMessageTypes.Aware, 0, ServiceWire.AwareLength);
        aware.SequenceNumber = ++_lastAware;
        ServiceWire.WriteAware(aware.Payload, service, _options.AwareHops);
        _seenAware.Add((Self, aware.SequenceNumber));
        foreach (var host in KnownHosts.ToArray())
            SendControl(aware, host);
    }

    private Disposition OnAware(Message message)
    {
        var origin = message.Sender;
        if (origin == Self || !_seenAware.Add((origin, message.SequenceNumber)) || !ServiceWire.TryReadAware(message.Payload, out var service, out var hops))
            return Disposition.Consumed;
        if (_service == 0)
        {
            // Not a service node: relay until a service node is reached (or the hops run out).
            if (hops == 0)
                return Disposition.Consumed;
            message.Payload[4] = (byte)(hops - 1);
            var sent = 0;
            foreach (var host in KnownHosts.ToArray())
            {
                if (host == origin || host == message.From)
                    continue;
                SendControl(message, host);
                sent++;
            }

            return sent > 0 ? Disposition.Forwarded : Disposition.Consumed;
        }

        // A service node: learn the new service and pass it on to its direct upstream and downstream instances.
        _seenForward.Add((origin, service));
        var forward = CreateMessage(ServiceMessageTypes.AwareForward, 0, ServiceWire.AwareForwardLength);
        ServiceWire.WriteAwareForward(forward.Payload, origin, service);
        foreach (var (node, type) in _graph.Instances)
        {
            if (node != origin && _graph.Catalogue.Related(type, service))
                SendControl(forward, node);
        }

        Learn(origin, service);
        return Disposition.Consumed;
    }

    private void OnAwareForward(Message message)
    {
        if (!ServiceWire.TryReadAwareForward(message.Payload, out var origin, out var service) || origin == Self || !_seenForward.Add((origin, service)))
            return;
        Learn(origin, service);
    }

    private void OnIntroduce(Message message)
    {
        if (ServiceWire.TryReadService(message.Payload, out var service) && message.Sender != Self)
            Learn(message.Sender, service, introduce: false);
    }

    // Adds an instance to the graph; a related one is introduced to this node's own service (once per learning).
    private void Learn(NodeId node, int service, bool introduce = true)
    {
        if (!_graph.Add(node, service))
            return;
        PublishGraph();
        if (_service == 0 || !_graph.Catalogue.Related(_service, service))
            return;
        if (introduce)
        {
            var hello = CreateMessage(ServiceMessageTypes.Introduce, 0, ServiceWire.ServiceLength);
            BinaryPrimitives.WriteInt32BigEndian(hello.Payload, _service);
            SendControl(hello, node);
        }

        // A new upstream instance needs this node's reach for its look-ahead.
        if (_graph.Catalogue.Feeds(service, _service))
            _reachOwed.Add(node);
    }

    // One probe train at a time, to the downstream instance measured longest ago (never measured first).
    private void MeasureNext()
    {
        var now = Clock.GetTimestamp();
        if (!_measuring.IsNone && Clock.GetElapsedTime(_measuringSince, now) < _options.MeasurementTimeout)
            return;
        _measuring = NodeId.None;
        if (_service == 0)
            return;
        var next = NodeId.None;
        var oldest = long.MaxValue;
        foreach (var node in _graph.ConsumersOf(_service))
        {
            var at = _measuredAt.GetValueOrDefault(node, long.MinValue);
            if (at != long.MinValue && Clock.GetElapsedTime(at, now) < _options.MeasurementInterval)
                continue;
            if (at < oldest)
            {
                oldest = at;
                next = node;
            }
        }

        if (next.IsNone)
            return;
        _measuring = next;
        _measuringSince = now;
        _measuredAt[next] = now;
        Interlocked.Increment(ref _measurementsStarted);
        MeasurePeer(next);
    }

    private void OnMeasurement(Message message)
    {
        if (!MeasurementResult.TryRead(message, out var result))
            return;
        var peer = message.Sender;
        if (peer == _measuring)
            _measuring = NodeId.None;
        if (_graph.ServiceOf(peer) == 0)
            return;
        var bandwidth = result.BytesPerSecond is { } rate && rate > 0 ? rate : 0;
        _graph.SetBandwidth(peer, bandwidth);
        _publishedBandwidths[peer] = bandwidth;

        // Measure the next one now rather than at the next tick: the first round of measurements finishes sooner.
        MeasureNext();
    }

    private void ResetReach()
    {
        _announcedReach.Clear();
        _reachOwed.Clear();
        foreach (var node in _graph.ProducersOf(_service))
            _reachOwed.Add(node);
    }

    // sReach: the best measured bandwidth to each consumer type, to every upstream instance when it changed enough,
    // and to upstream instances that have not had it yet.
    private void SendReachIfDue()
    {
        if (_service == 0)
            return;
        var reach = new List<(int Service, double BytesPerSecond)>();
        var changed = false;
        foreach (var type in _graph.ConsumerTypesOf(_service))
        {
            var best = _graph.BestBandwidthTo(type);
            if (best <= 0)
                continue;
            reach.Add((type, best));
            if (!_announcedReach.TryGetValue(type, out var announced) || Math.Abs(best - announced) > _options.ReachChangeThreshold * announced)
                changed = true;
        }

        if (reach.Count == 0 || reach.Count > byte.MaxValue)
            return;
        var now = Clock.GetTimestamp();
        var broadcast = changed && Clock.GetElapsedTime(_reachSentAt, now) >= _options.ReachInterval;
        if (!broadcast && _reachOwed.Count == 0)
            return;
        var message = CreateMessage(ServiceMessageTypes.Reach, 0, ServiceWire.ReachLength(reach.Count));
        ServiceWire.WriteReach(message.Payload, reach);
        if (broadcast)
        {
            foreach (var node in _graph.ProducersOf(_service))
                SendControl(message, node);
            _reachSentAt = now;
            foreach (var (type, rate) in reach)
                _announcedReach[type] = rate;
        }
        else
        {
            foreach (var node in _reachOwed)
            {
                if (_graph.ServiceOf(node) != 0)
                    SendControl(message, node);
            }
        }

        _reachOwed.Clear();
    }

    private void OnReach(Message message)
    {
        if (_graph.ServiceOf(message.Sender) == 0 || !ServiceWire.TryReadReach(message.Payload, out var reach))
            return;
        foreach (var (service, rate) in reach)
            _graph.SetReach(message.Sender, service, rate);
    }

    // A dead instance leaves the graph here and at its related instances (sWithdraw, one hop, like sAwareForward).
    // Only the node that still had it passes the news on, so a failure seen by many neighbours is not repeated by each
    // of them once the first withdrawal arrived, and an instance that announces itself again can be withdrawn again.
    private void Withdraw(NodeId gone)
    {
        var service = _graph.ServiceOf(gone);
        ForgetInstance(gone);
        if (service == 0)
            return;
        var message = CreateMessage(ServiceMessageTypes.Withdraw, 0, ServiceWire.NodeIdLength);
        ServiceWire.WriteNode(message.Payload, gone);
        foreach (var (node, type) in _graph.Instances)
        {
            if (_graph.Catalogue.Related(type, service))
                SendControl(message, node);
        }
    }

    private void OnWithdraw(Message message)
    {
        if (ServiceWire.TryReadNode(message.Payload, out var gone) && gone != Self)
            ForgetInstance(gone);
    }

    private void ForgetInstance(NodeId node)
    {
        _measuredAt.Remove(node);
        _reachOwed.Remove(node);
        _publishedBandwidths.TryRemove(node, out _);
        if (_graph.Remove(node))
            PublishGraph();
    }
}
