using System.Collections.Concurrent;
using Overlay.Observer.Client;
using Overlay.Observer.Web.Api;
using Overlay.Observer.Web.Demo;

namespace Overlay.Observer.Web;

/// <summary>
/// The dashboard's state: the observer it hosts (and the demo overlay, if asked for), node display names,
/// the tail of the trace log and each link's throughput history. Turns the observer's model into the
/// snapshots the page draws.
/// </summary>
internal sealed class Dashboard(DashboardOptions options, ILoggerFactory loggerFactory) : IHostedService, IAsyncDisposable
{
    private readonly ConcurrentDictionary<NodeId, string> _names = new();
    private readonly TraceTail _traces = new(capacity: 2000);
    private readonly LinkHistory _history = new(capacity: 300);
    private readonly CancellationTokenSource _stopping = new();
    private OverlayObserver? _observer;
    private Task _sampler = Task.CompletedTask;

    public DashboardOptions Options => options;

    /// <summary>The observer; available once the host has started.</summary>
    public OverlayObserver Observer => _observer ?? throw new InvalidOperationException("The dashboard has not started.");

    /// <summary>The demo overlay, when started with <c>--demo</c>.</summary>
    public DemoOverlay? Demo { get; private set; }

    public TraceTail Traces => _traces;

    public LinkHistory History => _history;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _observer = new OverlayObserver(new ObserverOptions
        {
            Port = options.ObserverPort,
            SharedSecret = options.SharedSecret,
            TraceLogPath = options.TraceLogPath,
            LoggerFactory = loggerFactory,
        });
        _observer.TraceReceived += (_, trace) => _traces.Add(trace.Time, trace.Node.ToString(), NameOf(trace.Node), trace.Text);
        await _observer.StartAsync();
        loggerFactory.CreateLogger<Dashboard>().LogInformation("Nodes connect to the observer at {EndPoint}", _observer.EndPoint);
        if (options.Demo)
        {
            Demo = await DemoOverlay.StartAsync(_observer.EndPoint, options.SharedSecret, loggerFactory);
            foreach (var (name, node) in Demo.Nodes)
                _names[node.Id] = name;
            loggerFactory.CreateLogger<Dashboard>().LogInformation(
                "Demo overlay: nodes {Names}, a source of application {Application} at A", string.Join(' ', DemoOverlay.Names), DemoOverlay.ApplicationId);
        }

        _sampler = SampleAsync(_stopping.Token);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopping.IsCancellationRequested)
            return;
        await _stopping.CancelAsync();
        try
        {
            await _sampler;
        }
        catch (OperationCanceledException)
        {
        }

        if (Demo is not null)
            await Demo.DisposeAsync();
        if (_observer is not null)
            await _observer.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        _stopping.Dispose();
    }

    /// <summary>The name the page shows for <paramref name="node"/>: the demo's letter, else its address.</summary>
    public string NameOf(NodeId node) => _names.TryGetValue(node, out var name) ? name : node.ToString();

    /// <summary>Finds a node by display name (case-insensitive) or address.</summary>
    /// <returns>The node, or null with <paramref name="error"/> and <paramref name="statusCode"/> saying why not.</returns>
    public NodeView? Resolve(string? text, out string error, out int statusCode)
    {
        error = string.Empty;
        statusCode = StatusCodes.Status200OK;
        if (string.IsNullOrWhiteSpace(text))
        {
            (error, statusCode) = ("A node name or address is required.", StatusCodes.Status400BadRequest);
            return null;
        }

        foreach (var (id, name) in _names)
        {
            if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase))
                return Observer.GetNode(id) ?? NotFound(text, out error, out statusCode);
        }

        NodeId parsed;
        try
        {
            parsed = NodeId.Parse(text);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException)
        {
            (error, statusCode) = ($"'{text}' is neither a node name nor an address such as 127.0.0.1:4000.", StatusCodes.Status400BadRequest);
            return null;
        }

        return Observer.GetNode(parsed) ?? NotFound(text, out error, out statusCode);
    }

    /// <summary>Everything the page draws, from the observer's latest reports.</summary>
    public StatusSnapshot Snapshot()
    {
        var views = Observer.GetNodes();
        var alive = new Dictionary<NodeId, bool>(views.Count);
        foreach (var view in views)
            alive[view.Id] = view.IsAlive;

        var nodes = new List<NodeSummary>(views.Count);
        var links = new List<LinkSummary>();
        var applications = new SortedDictionary<int, (SortedSet<string> Sources, List<string> Links)>();
        foreach (var view in views)
        {
            var status = view.IsAlive ? view.Status : null;
            int buffered = 0, capacity = 0;
            double upload = 0, download = 0;
            foreach (var link in status?.Links ?? [])
            {
                if (link.Direction == LinkDirection.Upstream)
                {
                    download += link.BytesPerSecond;
                    continue;
                }

                upload += link.BytesPerSecond;
                buffered += link.BufferedMessages;
                capacity += link.BufferCapacity;
                var peer = link.Peer;
                // A link to a node the observer knows is dead is gone, even before its sender notices.
                if (alive.TryGetValue(peer, out var peerAlive) && !peerAlive)
                    continue;
                var summary = new LinkSummary(
                    $"{NameOf(view.Id)}->{NameOf(peer)}", view.Id.ToString(), peer.ToString(), NameOf(view.Id), NameOf(peer),
                    link.Applications, link.BytesPerSecond, link.MessagesPerSecond, link.BufferedMessages, link.BufferCapacity,
                    link.BandwidthLimit, link.RoundTripMilliseconds, link.EmulatedLoss);
                links.Add(summary);
                foreach (var application in link.Applications)
                    Application(applications, application).Links.Add(summary.Id);
            }

            foreach (var source in status?.Sources ?? [])
                Application(applications, source).Sources.Add(NameOf(view.Id));

            nodes.Add(new NodeSummary(
                view.Id.ToString(), NameOf(view.Id), view.IsAlive, view.LastSeen, status is not null, status?.Sources ?? [],
                status?.TotalBandwidth, status?.UploadBandwidth, status?.DownloadBandwidth,
                buffered, capacity, upload, download, status?.MessagesLost ?? 0));
        }

        var apps = new List<ApplicationSummary>(applications.Count);
        foreach (var (id, (sources, appLinks)) in applications)
            apps.Add(new ApplicationSummary(id, [.. sources], appLinks));
        return new StatusSnapshot(DateTimeOffset.UtcNow, Observer.EndPoint.ToString(), nodes, links, apps, _traces.LastSequence);
    }

    private static (SortedSet<string> Sources, List<string> Links) Application(
        SortedDictionary<int, (SortedSet<string> Sources, List<string> Links)> applications, int id)
    {
        if (!applications.TryGetValue(id, out var entry))
        {
            entry = ([], []);
            applications[id] = entry;
        }

        return entry;
    }

    private static NodeView? NotFound(string text, out string error, out int statusCode)
    {
        (error, statusCode) = ($"The observer knows no node '{text}'.", StatusCodes.Status404NotFound);
        return null;
    }

    // One sample per link per interval, so the chart has a history when it is opened.
    private async Task SampleAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.HistoryInterval);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            var snapshot = Snapshot();
            foreach (var link in snapshot.Links)
                _history.Add(link.Id, snapshot.Time, link.BytesPerSecond);
        }
    }
}
