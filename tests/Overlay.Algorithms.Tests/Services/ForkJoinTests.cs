using System.Collections.Concurrent;
using NUnit.Framework;
using Overlay.Algorithms.Services;

namespace Overlay.Algorithms.Tests.Services;

/// <summary>
/// A requirement with a fork and a join of unequal branches: 1 → 2 → 3 → 4 (long, slow) and 1 → 4 (short, fast), then
/// 4 → 5. Two instances of 2, 3 and 4, one of 1 and 5. The join (service 4) passes a message on only when both branches
/// delivered it, counting the longer branch's services, so the stream runs at the slower branch's pace and every message
/// reaches the sink with all five services applied. A join that forwarded the first copy would pass on the short branch's
/// copy, which arrives first, with three.
/// </summary>
[Category("Integration")]
public class ForkJoinTests
{
    // Node → service.
    private static readonly int[] Services = [1, 2, 2, 3, 3, 4, 4, 5];

    private static readonly (int, int)[] Edges = [(1, 2), (2, 3), (3, 4), (1, 4), (4, 5)];

    private static readonly ServiceRequirement Diamond = new([1, 2, 3, 4, 5], Edges);

    [Test, CancelAfter(45_000)]
    public async Task SFlow_ForkAndJoin_FederatesEveryServiceOnceAndDeliversDataTransformedByTheLongestBranch()
    {
        var transformed = new ConcurrentDictionary<int, long>();
        var catalogue = ServiceCatalogue.FromEdges(Edges);
        await using var overlay = new ServiceOverlay();
        await overlay.AddNodesAsync(Services.Length, i =>
        {
            var options = ServiceOverlay.FastOptions(catalogue, seed: i);

            // The demonstration service: count what each node transformed and stamp the body with the service.
            options.Transform = (service, _, body) =>
            {
                body[0] ^= (byte)service;
                transformed.AddOrUpdate(i, 1, (_, n) => n + 1);
            };
            return options;
        });
        for (var i = 0; i < Services.Length; i++)
            overlay.Introduce(i, Enumerable.Range(0, Services.Length).Where(j => j != i));

        // The long branch is slow (60 KB/s into service 2), the direct 1 → 4 fast; everything else 300 KB/s.
        for (var from = 0; from < Services.Length; from++)
        {
            for (var to = 0; to < Services.Length; to++)
            {
                if (from != to && catalogue.Feeds(Services[from], Services[to]))
                    overlay.SetLink(from, to, Services[to] == 2 ? 60_000 : 300_000);
            }
        }

        for (var i = 0; i < Services.Length; i++)
            await overlay.AssignAsync(i, Services[i]);
        Assert.That(await overlay.MeasuredAsync(0, [1, 2, 5, 6], TimeSpan.FromSeconds(25)), Is.True, "source measured its downstream instances");
        Assert.That(await overlay.MeasuredAsync(1, [3, 4], TimeSpan.FromSeconds(25)), Is.True);
        Assert.That(await overlay.MeasuredAsync(3, [5, 6], TimeSpan.FromSeconds(25)), Is.True);
        await Task.Delay(1000);

        var report = await overlay.FederateAsync(0, 40, Diamond, FederationStrategy.SFlow, TimeSpan.FromSeconds(15));
        Assert.That(report?.State, Is.EqualTo(FederationState.Deployed));
        var chosen = report!.ChosenNodes.Select(overlay.IndexOf).ToArray();
        Assert.That(chosen.Select(i => Services[i]), Is.EqualTo(Diamond.Services), "one instance per required service, in requirement order");
        Assert.That(chosen.Distinct().Count(), Is.EqualTo(Diamond.Count));

        var source = overlay.Algorithms[0];
        Assert.That(await Eventually.TrueAsync(() => source.GetReport(40)?.MessagesDelivered > 30, TimeSpan.FromSeconds(20)), Is.True, "data reaches the sink");
        await Task.Delay(2000);
        report = source.GetReport(40)!;
        TestContext.Progress.WriteLine($"fork/join: chosen {string.Join(",", chosen)}; delivered {report.MessagesDelivered} messages, delay {report.EndToEndDelay?.TotalMilliseconds:F1} ms, " +
            $"average {report.AverageThroughput / 1000:F1} KB/s, last hop {report.LastHopThroughput / 1000:F1} KB/s; transformed per node {string.Join(",", transformed.OrderBy(p => p.Key).Select(p => $"{p.Key}:{p.Value}"))}");

        // 1, 2, 3, 4, 5: the join waits for the long branch's copy and takes its count (the direct copy, which comes
        // first, has only service 1 on it).
        Assert.That(report.ServicesApplied, Is.EqualTo(5), "services on the last message the sink measured");
        foreach (var node in chosen)
            Assert.That(transformed.GetValueOrDefault(node), Is.GreaterThan(0), $"node {node} on the session transformed data");
        foreach (var node in Enumerable.Range(0, Services.Length).Except(chosen))
            Assert.That(transformed.ContainsKey(node), Is.False, $"node {node} is not on the session");

        // The join waits for the slow branch: the sink runs near its 60 KB/s, far below the fast branch's 300 KB/s
        // (generous slack: a short average includes the start-up bursts of a loaded machine).
        Assert.That(report.AverageThroughput, Is.GreaterThan(0).And.LessThan(60_000 * 2));
        await overlay.EndAsync(0, 40);
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }
}
