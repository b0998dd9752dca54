using Microsoft.Extensions.Logging;
using Overlay.Observer;

namespace Overlay;

// The node side of the observer: status, control commands, traces, bootstrap.
public sealed partial class OverlayNode
{
    private ObserverSession? _observer;

    /// <summary>True while the node has a live connection to its observer.</summary>
    public bool IsObserverConnected => _observer?.IsConnected ?? false;

    /// <summary>How many times the node has connected to its observer (more than 1 after reconnects).</summary>
    public long ObserverConnections => _observer?.Connections ?? 0;

    /// <summary>A snapshot of the node's status, as the observer receives it.</summary>
    public Task<NodeStatus> GetStatusAsync() => BuildStatusAsync(_observer?.TracesDropped ?? 0);

    internal void StartObserver()
    {
        if (_options.ObserverEndPoint is not { } endPoint)
            return;
        _observer = new ObserverSession(this, _transport!, endPoint, _loggerFactory.CreateLogger<ObserverSession>());
        _observer.Start();
    }

    internal async Task StopObserverAsync()
    {
        if (_observer is { } session)
            await session.DisposeAsync();
    }

    internal void TraceFromAlgorithm(string text)
    {
        if (_observer is { } session)
            session.Trace(text);
        else
            LogTrace(text);
    }

    /// <summary>Records the observer's bootstrap set as known hosts and tells the algorithm (on the loop).</summary>
    internal void DeliverBootstrap(IReadOnlyList<NodeId> hosts)
    {
        foreach (var host in hosts)
            Algorithm.LearnHost(host);
        if (_stopping)
            return;
        var message = Pool.Rent(hosts.Count * BootstrapList.EntrySize);
        message.Type = MessageTypes.Bootstrap;
        message.Sender = Id;
        message.From = Id;
        BootstrapList.Write(hosts, message.Payload);
        var disposition = RunProcess(message, null);
        if (disposition != Disposition.Hold)
            message.Release();
    }

    internal async Task<NodeStatus> BuildStatusAsync(long tracesDropped)
    {
        var sources = Array.Empty<int>();
        if (IsRunning)
            await InvokeAsync(() => sources = [.. _sources.Keys]);
        var links = new List<LinkStatus>();
        foreach (var link in Volatile.Read(ref _upstreamSnapshot))
        {
            links.Add(new LinkStatus(
                link.Peer, LinkDirection.Upstream, link.Applications.ToArray(), link.MessagesReceived, link.BytesReceived,
                link.Buffered, link.Capacity, link.Meter.BytesPerSecond, link.Meter.MessagesPerSecond, null, 0,
                GetLinkBandwidth(link.Peer, LinkDirection.Upstream))
            {
                Weight = link.Weight, // the link's own, so a report shows what its switch and budgets use
            });
        }

        foreach (var link in Volatile.Read(ref _downstreamSnapshot))
        {
            links.Add(new LinkStatus(
                link.Peer, LinkDirection.Downstream, link.Applications.ToArray(), link.MessagesSent, link.BytesSent,
                link.Buffered, link.Capacity, link.Meter.BytesPerSecond, link.Meter.MessagesPerSecond, link.RoundTripTime?.TotalMilliseconds,
                link.EmulatedLoss, GetLinkBandwidth(link.Peer, LinkDirection.Downstream)));
        }

        return new NodeStatus(
            Id,
            links,
            sources,
            GetBandwidth(Emulation.BandwidthScope.Total),
            GetBandwidth(Emulation.BandwidthScope.Upload),
            GetBandwidth(Emulation.BandwidthScope.Download),
            Interlocked.Read(ref _messagesLost),
            Interlocked.Read(ref _bytesLost),
            tracesDropped);
    }

    /// <summary>Carries out an observer's command; the same methods code calls, so both behave alike.</summary>
    internal async Task ExecuteControlAsync(ControlRequest request)
    {
        switch (request.Kind)
        {
            case ControlKind.SetBandwidth:
                SetBandwidth(request.Scope, request.BytesPerSecond);
                break;
            case ControlKind.SetLinkBandwidth:
                SetLinkBandwidth(NodeId.Parse(request.Peer ?? throw new ArgumentException("A link command names its peer.")), request.Direction, request.BytesPerSecond);
                break;
            case ControlKind.SetUpstreamWeight:
                SetUpstreamWeight(NodeId.Parse(request.Peer ?? throw new ArgumentException("A weight command names its upstream peer.")), request.Weight);
                break;
            case ControlKind.DeploySource:
                await DeploySourceAsync(request.ApplicationId, new SourceOptions { PayloadLength = request.PayloadLength });
                break;
            case ControlKind.TerminateSource:
                await TerminateSourceAsync(request.ApplicationId);
                break;
            case ControlKind.Join:
                await InvokeAsync(() => Notify(MessageTypes.JoinRequested, Id, request.ApplicationId));
                break;
            case ControlKind.Leave:
                await InvokeAsync(() => Notify(MessageTypes.LeaveRequested, Id, request.ApplicationId));
                break;
            case ControlKind.Custom:
                if (request.Payload is { Length: var length } && length > Math.Min(ControlRequest.MaxCustomPayloadLength, _options.MaxPayloadLength))
                    throw new ArgumentException($"The command's payload ({length} bytes) is longer than this node accepts ({Math.Min(ControlRequest.MaxCustomPayloadLength, _options.MaxPayloadLength)}).");
                await InvokeAsync(() => Notify(MessageTypes.CustomControl, Id, request.First, request.Second, request.Payload));
                break;
            case ControlKind.TerminateNode:
                // Answer first, then go: the acknowledgement must leave before the connection does.
                _ = TerminateSoonAsync();
                break;
            default:
                throw new ArgumentException($"Unknown command {request.Kind}.");
        }
    }

    // Answer first, then go: the acknowledgement is written before the node closes the connection it leaves on.
    private async Task TerminateSoonAsync()
    {
        await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider);
        await TerminateAsync();
    }

    [LoggerMessage(EventId = 4005, EventName = "Trace", Level = LogLevel.Information, Message = "Trace: {Text}")]
    private partial void LogTrace(string text);
}
