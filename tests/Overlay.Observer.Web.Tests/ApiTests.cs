using System.Net;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using NUnit.Framework;
using Overlay.Observer.Web.Api;
using Overlay.Observer.Web.Demo;

namespace Overlay.Observer.Web.Tests;

/// <summary>The dashboard's HTTP API against the demo overlay: status, the event stream, traces and every control action.</summary>
[NonParallelizable]
public sealed class ApiTests
{
    private DashboardHost _host = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _host = await DashboardHost.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    [Test]
    public async Task Status_shows_the_seven_nodes_the_nine_links_and_the_application()
    {
        var status = await _host.StatusAsync();

        Assert.That(status.Nodes.Select(n => n.Name), Is.EquivalentTo(DemoOverlay.Names));
        Assert.That(status.Nodes.All(n => n.Alive && n.Id.StartsWith("127.0.0.1:", StringComparison.Ordinal)), Is.True);
        Assert.That(status.Links.Select(l => (l.FromName, l.ToName)), Is.EquivalentTo(DemoOverlay.Edges),
            string.Join("; ", _host.Dashboard.Traces.Read(0, null, 50).Select(t => $"{t.Name}: {t.Text}")));
        Assert.That(status.Links.Select(l => l.Id), Is.EquivalentTo(DemoOverlay.Edges.Select(e => $"{e.From}->{e.To}")));
        var application = status.Applications.Single(a => a.Id == DemoOverlay.ApplicationId);
        Assert.That(application.Sources, Is.EqualTo(new[] { "A" }));
        var a = status.Nodes.Single(n => n.Name == "A");
        Assert.That(a.Sources, Is.EqualTo(new[] { DemoOverlay.ApplicationId }));
        Assert.That(a.TotalBandwidth, Is.EqualTo(DemoOverlay.SourceBandwidth));
        Assert.That(a.BufferCapacity, Is.GreaterThan(0));
    }

    [Test]
    public async Task Events_stream_snapshots_at_least_once_a_second()
    {
        using var response = await _host.Client.GetAsync("api/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/event-stream"));
        await using var stream = await response.Content.ReadAsStreamAsync();
        var times = new List<DateTimeOffset>();
        await foreach (var item in SseParser.Create(stream).EnumerateAsync())
        {
            if (item.EventType != "status")
                continue;
            var snapshot = JsonSerializer.Deserialize<StatusSnapshot>(item.Data, DashboardHost.Json)!;
            Assert.That(snapshot.Nodes, Has.Count.EqualTo(DemoOverlay.Names.Length));
            times.Add(snapshot.Time);
            if (times.Count == 3)
                break;
        }

        Assert.That(times, Is.Ordered.Ascending.And.Unique);
        // Every 500 ms on the server; the bound leaves room for a loaded machine.
        Assert.That(times[2] - times[0], Is.LessThan(TimeSpan.FromSeconds(4)));
    }

    [Test]
    public async Task Setting_a_nodes_bandwidth_is_acknowledged_and_reported()
    {
        var result = await _host.PostAsync("api/nodes/C/bandwidth", new { scope = "total", bytesPerSecond = 300_000 }, HttpStatusCode.OK);
        Assert.That(result.Message, Does.Contain("C acknowledged"));
        Assert.That(await _host.EventuallyAsync(s => Node(s, "C").TotalBandwidth == 300_000), Is.True);

        await _host.PostAsync("api/nodes/C/bandwidth", new { scope = "total", unlimited = true }, HttpStatusCode.OK);
        Assert.That(await _host.EventuallyAsync(s => Node(s, "C").TotalBandwidth is null), Is.True);
    }

    [Test]
    public async Task Setting_a_links_bandwidth_is_acknowledged_and_reported()
    {
        var result = await _host.PostAsync("api/links/bandwidth", new { from = "E", to = "G", bytesPerSecond = 100_000 }, HttpStatusCode.OK);
        Assert.That(result.Node, Is.EqualTo("E"));
        Assert.That(await _host.EventuallyAsync(s => s.Links.SingleOrDefault(l => l.Id == "E->G")?.BandwidthLimit == 100_000), Is.True);

        await _host.PostAsync("api/links/bandwidth", new { from = "E", to = "G", unlimited = true }, HttpStatusCode.OK);
        Assert.That(await _host.EventuallyAsync(s => s.Links.SingleOrDefault(l => l.Id == "E->G") is { BandwidthLimit: null }), Is.True);
    }

    [Test]
    public async Task Deploying_and_terminating_a_source_is_acknowledged_and_reported()
    {
        var node = _host.Dashboard.Demo!.Nodes["G"].Id.ToString(); // by address as well as by name
        await _host.PostAsync($"api/nodes/{node}/source", new { action = "deploy", applicationId = 2, payloadLength = 1000 }, HttpStatusCode.OK);
        Assert.That(await _host.EventuallyAsync(s => Node(s, "G").Sources.Contains(2)), Is.True);
        Assert.That(await _host.EventuallyAsync(s => s.Applications.Any(a => a.Id == 2 && a.Sources.Contains("G"))), Is.True);

        await _host.PostAsync($"api/nodes/{node}/source", new { action = "terminate", applicationId = 2 }, HttpStatusCode.OK);
        Assert.That(await _host.EventuallyAsync(s => !Node(s, "G").Sources.Contains(2)), Is.True);
    }

    [Test]
    public async Task A_custom_command_is_acknowledged()
    {
        var result = await _host.PostAsync("api/nodes/c/custom", new { first = 7, second = -3 }, HttpStatusCode.OK);
        Assert.That(result.Message, Is.EqualTo("C acknowledged: custom command (7, -3)."));
    }

    [Test]
    public async Task A_links_history_has_samples()
    {
        Assert.That(await Eventually.TrueAsync(() => _host.Dashboard.History.Read("A->B")?.Count >= 2, DashboardHost.Patience), Is.True);
        var samples = await _host.Client.GetFromJsonAsync<List<LinkSample>>("api/history?link=A-%3EB", DashboardHost.Json) ?? [];
        Assert.That(samples, Has.Count.GreaterThanOrEqualTo(2));
        Assert.That(samples.Select(s => s.Time), Is.Ordered.Ascending);
        Assert.That(samples.Any(s => s.BytesPerSecond > 0), Is.True);
        using var missing = await _host.Client.GetAsync("api/history?link=A-%3EG");
        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [TestCase("api/nodes/D/bandwidth", """{"scope":"sideways","bytesPerSecond":1000}""", HttpStatusCode.BadRequest, "scope")]
    [TestCase("api/nodes/D/bandwidth", """{"scope":"upload","bytesPerSecond":-5}""", HttpStatusCode.BadRequest, "positive")]
    [TestCase("api/nodes/D/bandwidth", """{"scope":"upload"}""", HttpStatusCode.BadRequest, "bytesPerSecond")]
    [TestCase("api/nodes/D/bandwidth", """{"scope":"upload","bytesPerSecond":"fast"}""", HttpStatusCode.BadRequest, "not a valid request")]
    [TestCase("api/nodes/D/bandwidth", """{"scope":"upload","bytesPerSecond":5,"unlimited":true}""", HttpStatusCode.BadRequest, "not both")]
    [TestCase("api/nodes/D/bandwidth", "not json", HttpStatusCode.BadRequest, "not a valid request")]
    [TestCase("api/nodes/Zed/bandwidth", """{"scope":"upload","bytesPerSecond":1000}""", HttpStatusCode.BadRequest, "neither a node name nor an address")]
    [TestCase("api/nodes/127.0.0.1:1/bandwidth", """{"scope":"upload","bytesPerSecond":1000}""", HttpStatusCode.NotFound, "knows no node")]
    [TestCase("api/links/bandwidth", """{"from":"D","to":"Zed","bytesPerSecond":1000}""", HttpStatusCode.BadRequest, "'to'")]
    [TestCase("api/links/bandwidth", """{"from":"D","to":"E","direction":"across","bytesPerSecond":1000}""", HttpStatusCode.BadRequest, "direction")]
    [TestCase("api/nodes/D/source", """{"action":"explode","applicationId":1}""", HttpStatusCode.BadRequest, "action")]
    [TestCase("api/nodes/D/source", """{"action":"deploy"}""", HttpStatusCode.BadRequest, "applicationId")]
    [TestCase("api/nodes/D/source", """{"action":"deploy","applicationId":3,"payloadLength":0}""", HttpStatusCode.BadRequest, "payloadLength")]
    [TestCase("api/nodes/D/custom", """{"first":1}""", HttpStatusCode.BadRequest, "second")]
    public async Task Bad_input_gets_a_clear_error(string path, string body, HttpStatusCode expected, string mentions)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await _host.Client.PostAsync(path, content);
        var result = await response.Content.ReadFromJsonAsync<CommandResult>(DashboardHost.Json);

        Assert.That(response.StatusCode, Is.EqualTo(expected));
        Assert.That(result!.Ok, Is.False);
        Assert.That(result.Message, Does.Contain(mentions));
    }

    [TestCase("api/trace?after=soon")]
    [TestCase("api/trace?limit=0")]
    [TestCase("api/trace?node=Zed")]
    [TestCase("api/history")]
    public async Task Bad_queries_get_400(string path)
    {
        using var response = await _host.Client.GetAsync(path);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task The_page_and_its_assets_are_served_by_the_app()
    {
        var html = await _host.Client.GetStringAsync("/");
        Assert.That(html, Does.Contain("<script src=\"app.js\">").And.Contain("href=\"app.css\""));
        foreach (var asset in new[] { "/", "/app.js", "/app.css" })
        {
            var text = await _host.Client.GetStringAsync(asset);
            Assert.That(text, Does.Not.Contain("https://").And.Not.Contain("http://cdn"), $"{asset} loads nothing from elsewhere");
        }
    }

    private static NodeSummary Node(StatusSnapshot status, string name) => status.Nodes.Single(n => n.Name == name);
}
