using System.Collections.Concurrent;

namespace Overlay.Algorithms.Services;

/// <summary>
/// sFlow service federation (the paper's third case study): nodes host primitive services, learn of each other through
/// sAware announcements into a local <see cref="ServiceGraph"/>, measure the bandwidth to their downstream instances
/// with the engine's probes, and federate a <see cref="ServiceRequirement"/> (a DAG of services) hop by hop, each
/// chosen node picking the instances of the services after it by a <see cref="FederationStrategy"/>. The sink concludes
/// the federation and the data stream runs from the source through every chosen service, which may transform it.
/// </summary>
/// <remarks>
/// <para>The protocol: <see cref="ServiceMessageTypes"/>; design and message formats: docs/sflow.md. Each node hosts
/// at most one service. The observer assigns services and requests federations with custom commands
/// (<see cref="ServiceCommands"/>); code calls <see cref="AssignService"/>, <see cref="Federate"/> and
/// <see cref="EndSession"/> on the node's loop (<see cref="OverlayNode.InvokeAsync"/>).</para>
/// <para>The federation request visits the chosen nodes one at a time in the requirement's topological order; the
/// node of each service picks instances for the services after it that have none yet. So every service of a DAG,
/// joins included, gets exactly one instance, and each choice is made by a producer of that service with its own
/// measurements.</para>
/// </remarks>
public sealed partial class ServiceFederationAlgorithm : GossipAlgorithm
{
    // Enough to suppress duplicates of every announcement still travelling.
    private const int RecentCapacity = 4096;

    private readonly ServiceFederationOptions _options;
    private readonly ServiceGraph _graph;
    private readonly Dictionary<int, ServiceRoute> _routes = [];
    private readonly Dictionary<int, FederationReport> _started = [];
    private readonly Dictionary<int, long> _requestedAt = [];
    private readonly Dictionary<int, (NodeId Next, NodeId Source)> _tokensSent = [];
    private readonly ConcurrentDictionary<int, FederationReport> _reports = new();
    private readonly ConcurrentDictionary<NodeId, int> _publishedServices = new();
    private readonly ConcurrentDictionary<NodeId, double> _publishedBandwidths = new();
    private readonly Action<Message> _writeDataHeader;
    private IDisposable? _timer;
    private int _service;
    private long _measurementsStarted;

    /// <summary>Creates the algorithm.</summary>
    /// <param name="options">Settings, copied now; null for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public ServiceFederationAlgorithm(ServiceFederationOptions? options = null)
        : base(options?.Seed)
    {
        _options = (options ?? new ServiceFederationOptions()).Copy();
        _options.Validate();
        _graph = new ServiceGraph(_options.Catalogue);
        _writeDataHeader = WriteDataHeader;
    }

    // Every time of the algorithm (timeouts, report intervals, the data's origin time) is its node's clock, so a
    // federation runs the same on a virtual clock.
    private TimeProvider Clock => Node.TimeProvider;

    /// <summary>The service this node hosts, or 0 for none. Thread-safe.</summary>
    public int HostedService => Volatile.Read(ref _service);

    /// <summary>The control messages this node sent, per type. Thread-safe.</summary>
    public ControlOverhead Overhead { get; } = new();

    /// <summary>Bandwidth measurements (engine probe trains) this node started. Thread-safe.</summary>
    public long MeasurementsStarted => Interlocked.Read(ref _measurementsStarted);

    /// <summary>The service instances this node knows, with their types. Thread-safe snapshot.</summary>
    public IReadOnlyDictionary<NodeId, int> KnownServices => new Dictionary<NodeId, int>(_publishedServices);

    /// <summary>The bandwidths this node measured to downstream instances, bytes/s (0: failed). Thread-safe snapshot.</summary>
    public IReadOnlyDictionary<NodeId, double> MeasuredBandwidths => new Dictionary<NodeId, double>(_publishedBandwidths);

    /// <summary>This node's account of session <paramref name="applicationId"/> (as its source or sink), or null. Thread-safe.</summary>
    public FederationReport? GetReport(int applicationId) => _reports.GetValueOrDefault(applicationId);

    /// <summary>
    /// Makes this node host <paramref name="service"/> (sAssign) and announces it to the known hosts (sAware).
    /// Call on the node's loop.
    /// </summary>
    public void AssignService(int service)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(service);
        if (_service == service)
            return;
        Volatile.Write(ref _service, service);
        ResetReach();
        Announce(service);
        Trace($"hosts service {service}");
    }

    /// <summary>
    /// Starts federating <paramref name="requirement"/> as session <paramref name="applicationId"/> from this node,
    /// which must host its source service (sFederate). Follow it with <see cref="GetReport"/>. Call on the node's loop.
    /// </summary>
    /// <exception cref="InvalidOperationException">This node does not host the source service, or the session exists here.</exception>
    public void Federate(int applicationId, ServiceRequirement requirement, FederationStrategy strategy)
    {
        ArgumentNullException.ThrowIfNull(requirement);
        if (requirement.Source != _service)
            throw new InvalidOperationException($"This node hosts service {_service}, not the requirement's source {requirement.Source}.");
        if (_routes.ContainsKey(applicationId) || (_started.TryGetValue(applicationId, out var known) && known.State is FederationState.Federating or FederationState.Deployed))
            throw new InvalidOperationException($"Session {applicationId} is already running here.");
        if (!Enum.IsDefined(strategy))
            throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "Unknown strategy.");
        var report = new FederationReport(applicationId, strategy, requirement, FederationState.Federating, []);
        _started[applicationId] = report;
        _requestedAt[applicationId] = Clock.GetTimestamp();
        _reports[applicationId] = report;
        var assignment = new NodeId[requirement.Count];
        assignment[0] = Self;
        Advance(applicationId, strategy, requirement, assignment, 0);
    }

    /// <summary>Ends session <paramref name="applicationId"/> started here: the data source stops and every chosen node drops it. Call on the node's loop.</summary>
    public void EndSession(int applicationId)
    {
        if (_routes.TryGetValue(applicationId, out var route) && route.IsSource)
            CloseSession(route, FederationState.Ended, NodeId.None);
    }

    /// <inheritdoc />
    public override Disposition Process(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        switch (message.Type)
        {
            case MessageTypes.Data:
                return OnData(message);
            case ServiceMessageTypes.Aware:
                return OnAware(message);
            case ServiceMessageTypes.AwareForward:
                OnAwareForward(message);
                return Disposition.Consumed;
            case ServiceMessageTypes.Introduce:
                OnIntroduce(message);
                return Disposition.Consumed;
            case ServiceMessageTypes.Reach:
                OnReach(message);
                return Disposition.Consumed;
            case ServiceMessageTypes.Withdraw:
                OnWithdraw(message);
                return Disposition.Consumed;
            case ServiceMessageTypes.Federate:
                OnFederate(message);
                return Disposition.Consumed;
            case ServiceMessageTypes.Deploy:
                OnDeploy(message);
                return Disposition.Consumed;
            case ServiceMessageTypes.Report:
                OnReport(message);
                return Disposition.Consumed;
            case ServiceMessageTypes.Broken:
                OnBroken(message);
                return Disposition.Consumed;
            case ServiceMessageTypes.Teardown:
                OnTeardown(message);
                return Disposition.Consumed;
            case ServiceMessageTypes.Failed:
                OnFailed(message);
                return Disposition.Consumed;
            case MessageTypes.MeasurementResult:
                OnMeasurement(message);
                return Disposition.Consumed;
            case MessageTypes.CustomControl:
                OnCommand(message.ApplicationId, message.SequenceNumber, message.Payload);
                return Disposition.Consumed;
            default:
                return base.Process(message);
        }
    }

    /// <inheritdoc />
    protected override void OnStart() =>
        _timer = Schedule(_options.MaintenanceInterval, _options.MaintenanceInterval, Maintain);

    /// <inheritdoc />
    protected override void OnStop()
    {
        _timer?.Dispose();
        foreach (var route in _routes.Values)
            route.ReleaseHeld();
        _routes.Clear();
    }

    /// <inheritdoc />
    protected override void OnBrokenUpstream(NodeId peer)
    {
        base.OnBrokenUpstream(peer);
        PeerFailed(peer);
    }

    /// <inheritdoc />
    protected override void OnBrokenDownstream(NodeId peer)
    {
        base.OnBrokenDownstream(peer);
        PeerFailed(peer);
    }

    /// <inheritdoc />
    protected override void OnSendFailed(NodeId peer)
    {
        base.OnSendFailed(peer);
        PeerFailed(peer);
    }

    // The observer's sAssign / sFederate / sEnd (see ServiceCommands). Bad commands are traced, never thrown.
    private void OnCommand(int first, int second, ReadOnlySpan<byte> payload)
    {
        try
        {
            switch (ServiceCommands.CommandOf(first))
            {
                case ServiceCommands.AssignCommand:
                    AssignService(second);
                    break;
                case ServiceCommands.FederateCommand:
                    Federate(ServiceCommands.ApplicationOf(first), ServiceRequirement.Chain(ServiceCommands.ChainOf(second)), ServiceCommands.StrategyOf(first));
                    break;
                case ServiceCommands.EndCommand:
                    EndSession(ServiceCommands.ApplicationOf(first));
                    break;
                case ServiceCommands.FederateRequirementCommand:
                    var requirement = ServiceCommands.RequirementOf(payload)
                        ?? throw new ArgumentException($"the payload ({payload.Length} bytes) is not a well-formed requirement");
                    Federate(ServiceCommands.ApplicationOf(first), requirement, ServiceCommands.StrategyOf(first));
                    break;
                default:
                    Trace($"ignored unknown service command {first:X8}/{second:X8}");
                    break;
            }
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            Trace($"refused service command {first:X8}/{second:X8}: {e.Message}");
        }
    }

    // Housekeeping: measure one downstream instance, report reach upstream, send sink reports.
    private void Maintain()
    {
        AbsorbKnownHosts();
        MeasureNext();
        SendReachIfDue();
        ReportSinks();
    }

    // Sends a control message and counts it.
    private void SendControl(Message message, NodeId destination)
    {
        Overhead.Count(message.Type, message.PayloadLength);
        Send(message, destination);
    }

    private void PublishGraph()
    {
        _publishedServices.Clear();
        foreach (var (node, service) in _graph.Instances)
            _publishedServices[node] = service;
    }
}
