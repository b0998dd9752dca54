using System.Buffers.Binary;

namespace Overlay.Algorithms.Services;

/// <summary>Federation (sFederate → sDeploy), session reports and failures (sBroken, sTeardown, sFailed).</summary>
public sealed partial class ServiceFederationAlgorithm
{
    // This node hosts the service at 'position': choose instances for the services after it, then pass the request
    // to the next service in topological order, or, at the sink, conclude.
    private void Advance(int applicationId, FederationStrategy strategy, ServiceRequirement requirement, NodeId[] assignment, int position)
    {
        var missing = FederationPlanner.AssignSuccessors(strategy, _graph, requirement, position, assignment, Random);
        if (missing >= 0)
        {
            Trace($"federation {applicationId}: no usable instance of service {requirement.Services[missing]}");
            NotifyFailed(applicationId, assignment[0], requirement.Services[missing], NodeId.None);
            return;
        }

        if (position == requirement.Count - 1)
        {
            Conclude(applicationId, strategy, requirement, assignment);
            return;
        }

        var next = assignment[position + 1];
        var message = CreateMessage(ServiceMessageTypes.Federate, applicationId, ServiceWire.FederationLength(requirement));
        ServiceWire.WriteFederation(message.Payload, strategy, position + 1, requirement, assignment);
        _tokensSent[applicationId] = (next, assignment[0]);
        SendControl(message, next);
    }

    private void OnFederate(Message message)
    {
        if (!ServiceWire.TryReadFederation(message.Payload, out var strategy, out var position, out var requirement, out var assignment) || requirement is null)
        {
            Trace($"ignored a malformed sFederate from {message.From}");
            return;
        }

        if (assignment[position] != Self || requirement.Services[position] != _service)
        {
            Trace($"federation {message.ApplicationId}: asked for service {requirement.Services[position]}, but hosts {_service}");
            NotifyFailed(message.ApplicationId, assignment[0], requirement.Services[position], Self);
            return;
        }

        Advance(message.ApplicationId, strategy, requirement, assignment, position);
    }

    // The sink: every chosen node learns its place (sDeploy); the source starts the stream when it gets its copy.
    private void Conclude(int applicationId, FederationStrategy strategy, ServiceRequirement requirement, NodeId[] assignment)
    {
        var message = CreateMessage(ServiceMessageTypes.Deploy, applicationId, ServiceWire.FederationLength(requirement));
        ServiceWire.WriteFederation(message.Payload, strategy, requirement.Count - 1, requirement, assignment);
        foreach (var node in assignment)
        {
            if (node != Self)
                SendControl(message, node);
        }

        Install(applicationId, strategy, requirement, assignment);
    }

    private void OnDeploy(Message message)
    {
        if (ServiceWire.TryReadFederation(message.Payload, out var strategy, out _, out var requirement, out var assignment) && requirement is not null)
            Install(message.ApplicationId, strategy, requirement, assignment);
    }

    private void Install(int applicationId, FederationStrategy strategy, ServiceRequirement requirement, NodeId[] assignment)
    {
        var position = Array.IndexOf(assignment, Self);
        if (position < 0 || Array.IndexOf(assignment, NodeId.None) >= 0)
            return;
        _tokensSent.Remove(applicationId);
        if (_routes.Remove(applicationId, out var old))
            old.ReleaseHeld();
        var route = new ServiceRoute(applicationId, strategy, requirement, assignment, position);
        _routes[applicationId] = route;
        if (route.IsSink)
        {
            route.LastReportAt = Clock.GetTimestamp();
            _reports[applicationId] = new FederationReport(applicationId, strategy, requirement, FederationState.Deployed, assignment);
        }

        if (!route.IsSource)
            return;
        var report = _started.GetValueOrDefault(applicationId) ?? new FederationReport(applicationId, strategy, requirement, FederationState.Federating, []);
        var elapsed = _requestedAt.TryGetValue(applicationId, out var at) ? Clock.GetElapsedTime(at) : (TimeSpan?)null;
        Publish(report with { State = FederationState.Deployed, ChosenNodes = assignment, FederationTime = elapsed });
        Trace($"federation {applicationId} ({strategy}) deployed: {string.Join(" ", assignment.Select((n, i) => $"{requirement.Services[i]}@{n}"))}");
        DeploySource(applicationId, new SourceOptions { PayloadLength = _options.DataPayloadLength, Fill = _writeDataHeader });
    }

    // Sinks report what they measured to their sources.
    private void ReportSinks()
    {
        var now = Clock.GetTimestamp();
        foreach (var route in _routes.Values)
        {
            if (!route.IsSink || Clock.GetElapsedTime(route.LastReportAt, now) < _options.ReportInterval)
                continue;
            var report = SinkReport(route, now);
            _reports[route.ApplicationId] = report;
            if (route.IsSource)
                continue;
            var message = CreateMessage(ServiceMessageTypes.Report, route.ApplicationId, ServiceWire.ReportLength);
            ServiceWire.WriteReport(message.Payload, report);
            SendControl(message, route.Source);
        }
    }

    private FederationReport SinkReport(ServiceRoute route, long now)
    {
        var interval = Clock.GetElapsedTime(route.LastReportAt, now).TotalSeconds;
        var lastHop = interval > 0 ? (route.Bytes - route.BytesAtLastReport) / interval : 0;
        var span = Clock.GetElapsedTime(route.FirstAt, route.LastAt).TotalSeconds;
        route.BytesAtLastReport = route.Bytes;
        route.LastReportAt = now;
        return new FederationReport(route.ApplicationId, route.Strategy, route.Requirement, FederationState.Deployed, route.Assignment)
        {
            MessagesDelivered = route.Messages,
            BytesDelivered = route.Bytes,
            EndToEndDelay = route.Messages > 0 ? TimeSpan.FromTicks(route.DelayTicks / route.Messages) : null,
            LastHopThroughput = lastHop,
            AverageThroughput = route.Messages > 1 && span > 0 ? route.Bytes / span : 0,
            ServicesApplied = route.LastApplied,
        };
    }

    private void OnReport(Message message)
    {
        if (_routes.TryGetValue(message.ApplicationId, out var route) && route.IsSource && message.Sender == route.Assignment[^1]
            && _started.TryGetValue(message.ApplicationId, out var report)
            && ServiceWire.TryReadReport(message.Payload, report, out var updated))
        {
            Publish(updated);
        }
    }

    // A peer's link failed: it leaves the graph, and every session it took part in is reported broken to its source.
    private void PeerFailed(NodeId peer)
    {
        Withdraw(peer);
        foreach (var (application, token) in _tokensSent.ToArray())
        {
            if (token.Next == peer)
            {
                _tokensSent.Remove(application);
                NotifyFailed(application, token.Source, 0, peer);
            }
        }

        foreach (var route in _routes.Values.ToArray())
        {
            if (!route.Involves(peer))
                continue;
            if (route.IsSource)
            {
                CloseSession(route, FederationState.Broken, peer);
                continue;
            }

            _routes.Remove(route.ApplicationId);
            route.ReleaseHeld();
            if (route.Source == peer)
                continue;
            var message = CreateMessage(ServiceMessageTypes.Broken, route.ApplicationId, ServiceWire.NodeIdLength);
            ServiceWire.WriteNode(message.Payload, peer);
            SendControl(message, route.Source);
        }
    }

    private void OnBroken(Message message)
    {
        if (_routes.TryGetValue(message.ApplicationId, out var route) && route.IsSource && ServiceWire.TryReadNode(message.Payload, out var failed))
        {
            Trace($"session {message.ApplicationId} broken: {failed} failed (reported by {message.Sender})");
            Withdraw(failed);
            CloseSession(route, FederationState.Broken, failed);
        }
    }

    // At the source: stop the stream, tell every other chosen node (sTeardown, naming the failed node if any).
    private void CloseSession(ServiceRoute route, FederationState state, NodeId failed)
    {
        _routes.Remove(route.ApplicationId);
        route.ReleaseHeld();
        TerminateSource(route.ApplicationId);
        var message = CreateMessage(ServiceMessageTypes.Teardown, route.ApplicationId, ServiceWire.NodeIdLength);
        ServiceWire.WriteNode(message.Payload, failed);
        foreach (var node in route.Assignment)
        {
            if (node != Self && node != failed)
                SendControl(message, node);
        }

        if (_started.TryGetValue(route.ApplicationId, out var report))
            Publish(report with { State = state, FailedNode = failed });
    }

    private void OnTeardown(Message message)
    {
        if (!ServiceWire.TryReadNode(message.Payload, out var failed))
            return;
        if (_routes.TryGetValue(message.ApplicationId, out var route) && route.Source == message.Sender)
        {
            _routes.Remove(message.ApplicationId);
            route.ReleaseHeld();
        }

        if (!failed.IsNone && failed != Self)
            ForgetInstance(failed);
    }

    private void NotifyFailed(int applicationId, NodeId source, int service, NodeId failed)
    {
        if (source == Self)
        {
            MarkFailed(applicationId, service, failed);
            return;
        }

        var message = CreateMessage(ServiceMessageTypes.Failed, applicationId, ServiceWire.ServiceLength + ServiceWire.NodeIdLength);
        BinaryPrimitives.WriteInt32BigEndian(message.Payload, service);
        ServiceWire.WriteNode(message.Payload[ServiceWire.ServiceLength..], failed);
        SendControl(message, source);
    }

    private void OnFailed(Message message)
    {
        if (message.PayloadLength < ServiceWire.ServiceLength + ServiceWire.NodeIdLength)
            return;
        var service = BinaryPrimitives.ReadInt32BigEndian(message.Payload);
        ServiceWire.TryReadNode(message.Payload[ServiceWire.ServiceLength..], out var failed);
        MarkFailed(message.ApplicationId, service, failed);
    }

    private void MarkFailed(int applicationId, int service, NodeId failed)
    {
        if (_started.TryGetValue(applicationId, out var report) && report.State == FederationState.Federating)
            Publish(report with { State = FederationState.Failed, FailedService = service, FailedNode = failed });
    }

    private void Publish(FederationReport report)
    {
        _started[report.ApplicationId] = report;
        _reports[report.ApplicationId] = report;
    }
}
