using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Overlay.Emulation;
using Overlay.Observer.Client;

namespace Overlay.Observer.Web.Api;

/// <summary>
/// The dashboard's HTTP API: the status snapshot, a Server-Sent Events stream of snapshots and traces, the
/// trace tail, link histories, and the control actions. Every control action answers with a
/// <see cref="CommandResult"/>: 200 once the node acknowledged, else 400 (bad input), 404 (unknown node),
/// 409 (node not alive), 422 (node refused) or 504 (no acknowledgement in time).
/// </summary>
internal static class DashboardEndpoints
{
    private const double MaxRate = 1e12;
    private const int MaxPayloadLength = 1024 * 1024;
    private const int MaxTraces = 2000;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void MapDashboardApi(this WebApplication app)
    {
        var api = app.MapGroup("/api");
        api.MapGet("/status", (Dashboard dashboard) => TypedResults.Ok(dashboard.Snapshot()));
        api.MapGet("/events", Events);
        api.MapGet("/trace", Trace);
        api.MapGet("/history", History);
        api.MapPost("/nodes/{id}/bandwidth", SetBandwidthAsync);
        api.MapPost("/links/bandwidth", SetLinkBandwidthAsync);
        api.MapPost("/nodes/{id}/source", SourceAsync);
        api.MapPost("/nodes/{id}/terminate", (Dashboard dashboard, string id) =>
            CommandAsync(dashboard, id, "terminate", (observer, node) => observer.TerminateNodeAsync(node), "terminating"));
        api.MapPost("/nodes/{id}/custom", CustomAsync);
    }

    // A snapshot every refresh interval, and the traces that arrived since the last one. A reconnecting
    // EventSource sends Last-Event-ID (the number of the last trace it got), so it misses no trace.
    private static IResult Events(Dashboard dashboard, HttpRequest request, CancellationToken cancellationToken)
    {
        var after = long.TryParse(request.Headers["Last-Event-ID"], NumberStyles.None, CultureInfo.InvariantCulture, out var lastSeen) ? lastSeen : 0;
        return TypedResults.ServerSentEvents(StreamAsync(dashboard, after, cancellationToken));
    }

    private static async IAsyncEnumerable<SseItem<string>> StreamAsync(Dashboard dashboard, long after, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(dashboard.Options.RefreshInterval);
        do
        {
            yield return new SseItem<string>(JsonSerializer.Serialize(dashboard.Snapshot(), Json), "status");
            var traces = dashboard.Traces.Read(after, node: null, MaxTraces);
            if (traces.Count > 0)
            {
                after = traces[^1].Sequence;
                yield return new SseItem<string>(JsonSerializer.Serialize(traces, Json), "trace") { EventId = after.ToString(CultureInfo.InvariantCulture) };
            }
        }
        while (await TickAsync(timer, cancellationToken));
    }

    private static async Task<bool> TickAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false; // the page went away
        }
    }

    private static IResult Trace(Dashboard dashboard, string? node, string? after, string? limit)
    {
        string? address = null;
        if (!string.IsNullOrEmpty(node))
        {
            var view = dashboard.Resolve(node, out var error, out var statusCode);
            if (view is null)
                return Fail("trace", null, error, statusCode);
            address = view.Id.ToString();
        }

        long first = 0;
        if (after is not null && !long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out first))
            return Fail("trace", null, $"'after' must be a trace number, not '{after}'.", StatusCodes.Status400BadRequest);
        var count = 500;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > MaxTraces))
            return Fail("trace", null, $"'limit' must be a number from 1 to {MaxTraces}, not '{limit}'.", StatusCodes.Status400BadRequest);
        return TypedResults.Ok(dashboard.Traces.Read(first, address, count));
    }

    private static IResult History(Dashboard dashboard, string? link)
    {
        if (string.IsNullOrEmpty(link))
            return Fail("history", null, "Name the link: ?link=D->E.", StatusCodes.Status400BadRequest);
        var samples = dashboard.History.Read(link);
        return samples is null
            ? Fail("history", null, $"No samples of link '{link}'.", StatusCodes.Status404NotFound)
            : TypedResults.Ok(samples);
    }

    private static async Task<IResult> SetBandwidthAsync(Dashboard dashboard, string id, HttpRequest request)
    {
        const string action = "bandwidth";
        var (body, invalid) = await ReadAsync<BandwidthRequest>(request, action);
        if (body is null)
            return invalid!;
        BandwidthScope scope;
        switch (body.Scope?.ToLowerInvariant())
        {
            case "total":
                scope = BandwidthScope.Total;
                break;
            case "upload" or "up":
                scope = BandwidthScope.Upload;
                break;
            case "download" or "down":
                scope = BandwidthScope.Download;
                break;
            default:
                return Fail(action, null, $"'scope' must be total, upload or download, not '{body.Scope}'.", StatusCodes.Status400BadRequest);
        }

        if (!TryRate(body.BytesPerSecond, body.Unlimited, out var rate, out var rateError))
            return Fail(action, null, rateError, StatusCodes.Status400BadRequest);
        return await CommandAsync(dashboard, id, action, (observer, node) => observer.SetBandwidthAsync(node, scope, rate),
            $"{scope.ToString().ToLowerInvariant()} bandwidth {Describe(rate)}");
    }

    private static async Task<IResult> SetLinkBandwidthAsync(Dashboard dashboard, HttpRequest request)
    {
        const string action = "link-bandwidth";
        var (body, invalid) = await ReadAsync<LinkBandwidthRequest>(request, action);
        if (body is null)
            return invalid!;
        var direction = body.Direction?.ToLowerInvariant() switch
        {
            null or "downstream" => LinkDirection.Downstream,
            "upstream" => LinkDirection.Upstream,
            _ => (LinkDirection?)null,
        };
        if (direction is null)
            return Fail(action, null, $"'direction' must be downstream or upstream, not '{body.Direction}'.", StatusCodes.Status400BadRequest);
        if (!TryRate(body.BytesPerSecond, body.Unlimited, out var rate, out var rateError))
            return Fail(action, null, rateError, StatusCodes.Status400BadRequest);
        var peer = dashboard.Resolve(body.To, out var error, out var statusCode);
        if (peer is null)
            return Fail(action, null, $"'to': {error}", statusCode);
        var peerName = dashboard.NameOf(peer.Id);
        return await CommandAsync(dashboard, body.From, action,
            (observer, node) => observer.SetLinkBandwidthAsync(node, peer.Id, direction.Value, rate),
            $"{direction.Value.ToString().ToLowerInvariant()} bandwidth to {peerName} {Describe(rate)}");
    }

    private static async Task<IResult> SourceAsync(Dashboard dashboard, string id, HttpRequest request)
    {
        var (body, invalid) = await ReadAsync<SourceRequest>(request, "source");
        if (body is null)
            return invalid!;
        if (body.ApplicationId is not { } application || application < 0)
            return Fail("source", null, "'applicationId' must be a number of 0 or more.", StatusCodes.Status400BadRequest);
        switch (body.Action?.ToLowerInvariant())
        {
            case "deploy":
                var payload = body.PayloadLength ?? 5 * 1024;
                if (payload is < 1 or > MaxPayloadLength)
                    return Fail("deploy-source", null, $"'payloadLength' must be from 1 to {MaxPayloadLength} bytes.", StatusCodes.Status400BadRequest);
                return await CommandAsync(dashboard, id, "deploy-source", (observer, node) => observer.DeploySourceAsync(node, application, payload),
                    $"source of application {application} deployed ({payload} B messages)");
            case "terminate":
                return await CommandAsync(dashboard, id, "terminate-source", (observer, node) => observer.TerminateSourceAsync(node, application),
                    $"source of application {application} terminated");
            default:
                return Fail("source", null, $"'action' must be deploy or terminate, not '{body.Action}'.", StatusCodes.Status400BadRequest);
        }
    }

    private static async Task<IResult> CustomAsync(Dashboard dashboard, string id, HttpRequest request)
    {
        const string action = "custom";
        var (body, invalid) = await ReadAsync<CustomRequest>(request, action);
        if (body is null)
            return invalid!;
        if (body is not { First: { } first, Second: { } second })
            return Fail(action, null, "'first' and 'second' must both be integers.", StatusCodes.Status400BadRequest);
        return await CommandAsync(dashboard, id, action, (observer, node) => observer.SendCustomAsync(node, first, second),
            $"custom command ({first}, {second})");
    }

    private static async Task<IResult> CommandAsync(Dashboard dashboard, string? id, string action, Func<OverlayObserver, NodeId, Task> command, string description)
    {
        var view = dashboard.Resolve(id, out var error, out var statusCode);
        if (view is null)
            return Fail(action, null, error, statusCode);
        var name = dashboard.NameOf(view.Id);
        if (!view.IsAlive)
            return Fail(action, name, $"{name} is not alive.", StatusCodes.Status409Conflict);
        try
        {
            await command(dashboard.Observer, view.Id);
        }
        catch (ObserverCommandException ex)
        {
            return Fail(action, name, $"{name}: {ex.Message}", StatusCodes.Status422UnprocessableEntity);
        }
        catch (TimeoutException ex)
        {
            return Fail(action, name, $"{name}: {ex.Message}", StatusCodes.Status504GatewayTimeout);
        }

        return TypedResults.Ok(new CommandResult(true, action, name, $"{name} acknowledged: {description}."));
    }

    private static async Task<(T? Body, IResult? Error)> ReadAsync<T>(HttpRequest request, string action)
        where T : class
    {
        try
        {
            var body = await request.ReadFromJsonAsync<T>(Json);
            return body is null ? (null, Fail(action, null, "A JSON object is required.", StatusCodes.Status400BadRequest)) : (body, null);
        }
        catch (JsonException ex)
        {
            return (null, Fail(action, null, $"The body is not a valid request: {ex.Message}", StatusCodes.Status400BadRequest));
        }
        catch (InvalidOperationException)
        {
            return (null, Fail(action, null, "Send a JSON body (Content-Type: application/json).", StatusCodes.Status400BadRequest));
        }
    }

    private static bool TryRate(double? bytesPerSecond, bool unlimited, out double? rate, out string error)
    {
        rate = null;
        error = string.Empty;
        if (unlimited)
        {
            if (bytesPerSecond is null)
                return true;
            error = "Give either 'bytesPerSecond' or \"unlimited\": true, not both.";
            return false;
        }

        if (bytesPerSecond is not { } value || !double.IsFinite(value) || value <= 0 || value > MaxRate)
        {
            error = "'bytesPerSecond' must be a positive number of bytes per second (or \"unlimited\": true).";
            return false;
        }

        rate = value;
        return true;
    }

    private static string Describe(double? rate) =>
        rate is { } value ? string.Create(CultureInfo.InvariantCulture, $"{value / 1000:0.###} KB/s") : "unlimited";

    private static IResult Fail(string action, string? node, string message, int statusCode) =>
        TypedResults.Json(new CommandResult(false, action, node, message), Json, statusCode: statusCode);
}
