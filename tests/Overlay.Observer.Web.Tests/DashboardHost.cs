using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using Overlay.Observer.Web.Api;
using Overlay.Observer.Web.Demo;

namespace Overlay.Observer.Web.Tests;

/// <summary>The dashboard with its demo overlay, in this process on a free port, as a newcomer would start it.</summary>
internal sealed class DashboardHost : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly WebApplication _app;

    private DashboardHost(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public Dashboard Dashboard => _app.Services.GetRequiredService<Dashboard>();

    /// <summary>Starts the dashboard with <c>--demo</c> and waits until all nine links carry data.</summary>
    public static async Task<DashboardHost> StartAsync()
    {
        var app = DashboardApp.Build(["--demo", "--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"]);
        await app.StartAsync();
        var host = new DashboardHost(app, new Uri(app.Urls.Single()));
        var ready = await Eventually.TrueAsync(() =>
        {
            var snapshot = host.Dashboard.Snapshot();
            return snapshot.Nodes.Count(n => n.Alive) == DemoOverlay.Names.Length
                && snapshot.Links.Count(l => l.BytesPerSecond > 0) == DemoOverlay.Edges.Length;
        }, TimeSpan.FromSeconds(30));
        if (!ready)
        {
            await host.DisposeAsync();
            Assert.Fail("The demo overlay did not come up: not every link carried data within 30 s.");
        }

        return host;
    }

    public async Task<StatusSnapshot> StatusAsync() =>
        (await Client.GetFromJsonAsync<StatusSnapshot>("api/status", Json))!;

    public async Task<CommandResult> PostAsync(string path, object? body, HttpStatusCode expected)
    {
        using var response = await Client.PostAsJsonAsync(path, body ?? new { }, DashboardHost.Json);
        var result = await response.Content.ReadFromJsonAsync<CommandResult>(DashboardHost.Json);
        Assert.That(response.StatusCode, Is.EqualTo(expected), result?.Message);
        Assert.That(result!.Ok, Is.EqualTo(expected == HttpStatusCode.OK));
        return result;
    }

    // Polls the HTTP status, as the page does, until the condition holds.
    public async Task<bool> EventuallyAsync(Func<StatusSnapshot, bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            if (condition(await StatusAsync()))
                return true;
            await Task.Delay(200);
        }

        return false;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        var pool = Dashboard.Demo?.Pool;
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (pool is not null)
            Assert.That(pool.Outstanding, Is.Zero, "pooled messages leaked by the demo overlay");
    }
}
