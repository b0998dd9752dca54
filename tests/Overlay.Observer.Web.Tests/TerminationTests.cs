using System.Net;
using System.Net.Http.Json;
using NUnit.Framework;
using Overlay.Observer.Web.Api;
using Overlay.Observer.Web.Demo;

namespace Overlay.Observer.Web.Tests;

/// <summary>Terminating a node through the API, on a demo overlay of its own (the other API tests need all seven alive).</summary>
[NonParallelizable]
public sealed class TerminationTests
{
    private DashboardHost _host = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _host = await DashboardHost.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    [Test]
    public async Task Terminating_a_node_marks_it_dead_removes_its_links_and_its_parents_trace()
    {
        await _host.PostAsync("api/nodes/F/terminate", null, HttpStatusCode.OK);

        Assert.That(await _host.EventuallyAsync(s => !Node(s, "F").Alive && !s.Links.Any(l => l.FromName == "F" || l.ToName == "F")), Is.True);
        var status = await _host.StatusAsync();
        Assert.That(status.Nodes, Has.Count.EqualTo(DemoOverlay.Names.Length), "a dead node stays on the map");
        Assert.That(status.Links.Select(l => l.Id), Does.Contain("E->G").And.Contain("D->E"));

        // B and E each lose a child and say so.
        var traced = await Eventually.TrueAsync(() => _host.Dashboard.Traces.Read(0, null, 100).Count(t => t.Text.StartsWith("lost child", StringComparison.Ordinal)) >= 2, DashboardHost.Patience);
        Assert.That(traced, Is.True);
        var fromE = await _host.Client.GetFromJsonAsync<List<TraceEntry>>("api/trace?node=E", DashboardHost.Json) ?? [];
        Assert.That(fromE, Is.Not.Empty);
        Assert.That(fromE.All(t => t.Name == "E" && t.Text.Contains(_host.Dashboard.Demo!.Nodes["F"].Id.ToString(), StringComparison.Ordinal)), Is.True);
        var after = fromE[^1].Sequence;
        Assert.That(await _host.Client.GetFromJsonAsync<List<TraceEntry>>($"api/trace?node=E&after={after}", DashboardHost.Json), Is.Empty);

        var refused = await _host.PostAsync("api/nodes/F/custom", new { first = 1, second = 2 }, HttpStatusCode.Conflict);
        Assert.That(refused.Message, Is.EqualTo("F is not alive."));
    }

    private static NodeSummary Node(StatusSnapshot status, string name) => status.Nodes.Single(n => n.Name == name);
}
