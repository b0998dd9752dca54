using NUnit.Framework;
using Overlay.Algorithms.Tests.Support;
using Overlay.Emulation;

namespace Overlay.Algorithms.Tests.Sessions;

[Category("Integration")]
public class SessionTests
{
    private const int Application = 5;
    private static readonly TimeSpan StressInterval = TimeSpan.FromMilliseconds(100);

    // A bandwidth change is not pushed; only the periodic exchange can carry it to the parent.
    [Test, CancelAfter(60_000)]
    public async Task StressExchange_ChildBandwidthChangesAtRunTime_ParentLearnsWithinAFewPeriods()
    {
        await using var overlay = new TestOverlay();
        var parent = new SessionProbe();
        var child = new SessionProbe();
        var parentNode = await overlay.AddAsync(parent);
        var childNode = await overlay.AddAsync(child, o => o.TotalBandwidth = 100_000);
        child.AddKnownHosts([parentNode.Id]);
        await parentNode.InvokeAsync(() => parent.StartSession(Application));
        await childNode.InvokeAsync(() => child.JoinSession(Application));
        Assert.That(await Eventually.TrueAsync(() => child.GetSnapshot(Application)?.IsAttached == true, TimeSpan.FromSeconds(10)), Is.True);

        async Task<StressReport?> SeenByParentAsync()
        {
            StressReport? report = null;
            await parentNode.InvokeAsync(() => report = parent.ReportOf(childNode.Id));
            return report;
        }

        Assert.That(await EventuallyAsync(async () => await SeenByParentAsync() == new StressReport(1, 100_000)), Is.True, "first report");
        childNode.SetBandwidth(BandwidthScope.Total, 300_000);
        Assert.That(await EventuallyAsync(async () => await SeenByParentAsync() == new StressReport(1, 300_000)), Is.True, "after the change");
        StressReport? childView = null;
        await childNode.InvokeAsync(() => childView = child.ReportOf(parentNode.Id));
        Assert.That(childView, Is.EqualTo(new StressReport(1, double.PositiveInfinity)), "the parent's report, unlimited bandwidth");
        await overlay.StopAllAsync();
    }

    [Test, CancelAfter(60_000)]
    public async Task DataForwarding_SourceWithMessageLimit_EveryMemberReceivesEachMessageOnce()
    {
        const int Count = 300;
        await using var tree = await TreeOverlay.StartAsync(TreeKind.Random, [.. Enumerable.Repeat(10_000_000.0, 6)], StressInterval, seed: 3);
        await tree.StartSessionAsync(source: null);
        for (var i = 1; i < 6; i++)
            Assert.That(await tree.JoinAsync(i, TimeSpan.FromSeconds(10)), Is.True, $"node {i}");
        Assert.That(await tree.SettleAsync(TimeSpan.FromSeconds(10)), Is.Null);
        await tree.Nodes[0].DeploySourceAsync(TreeOverlay.Application, new SourceOptions { PayloadLength = 1000, MessageLimit = Count });
        var members = Enumerable.Range(1, 5).ToArray();
        Assert.That(await Eventually.TrueAsync(() => members.All(i => tree.View(i)!.MessagesReceived >= Count), TimeSpan.FromSeconds(20)), Is.True);
        await Task.Delay(300);
        Assert.That(members.Select(i => tree.View(i)!.MessagesReceived), Is.All.EqualTo(Count));
        Assert.That(members.Select(i => tree.View(i)!.BytesReceived), Is.All.EqualTo(Count * 1000));
        await tree.DisposeAsync();
        Assert.That(tree.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(60_000)]
    public async Task StartSession_SecondTime_Throws()
    {
        await using var overlay = new TestOverlay();
        var probe = new SessionProbe();
        var node = await overlay.AddAsync(probe);
        await node.InvokeAsync(() => probe.StartSession(Application));
        await Assert.ThrowsAsync<InvalidOperationException>(() => node.InvokeAsync(() => probe.StartSession(Application)));
        Assert.That(probe.GetSnapshot(Application)!.IsSource, Is.True);
        await overlay.StopAllAsync();
    }

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 250; i++)
        {
            if (await condition())
                return true;
            await Task.Delay(20);
        }

        return await condition();
    }

    /// <summary>Accepts every query where it lands; lets a test read the neighbours' stress reports (on the loop).</summary>
    private sealed class SessionProbe() : SessionAlgorithm(new SessionOptions { StressInterval = StressInterval })
    {
        public StressReport? ReportOf(NodeId peer) =>
            FindSession(Application) is { } session && session.Neighbours.TryGetValue(peer, out var report) ? report : null;

        protected override void RouteQuery(Session session, JoinQuery query) => AcceptQuery(session, query);
    }
}
