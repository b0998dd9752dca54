using System.Globalization;
using System.Net;
using Overlay.Buffers;

namespace Overlay.Perf;

/// <summary>
/// Memory per active connection and allocations per forwarded message. N nodes in one process form a ring: each
/// runs an unlimited source of 5 KB messages into its link to the next node (buffer 10), so N links all carry
/// traffic with full buffers, the worst case for memory. Each N is measured in a fresh child process; the
/// per-connection figures are the growth of managed heap and working set over the same process before the ring,
/// divided by N.
/// </summary>
internal static class FootprintExperiment
{
    private const int ApplicationId = 1;
    private const int PayloadLength = 5 * 1024;
    private const int BufferCapacity = 10;

    // The paper's iOverlay needed about 4 MB per connection.
    private const double TargetBytesPerConnection = 128 * 1024;

    public static async Task<int> RunAsync(string[] args, TextWriter console)
    {
        if (ExperimentArguments.Value(args, "--child") is { } child)
            return await MeasureInChildAsync(int.Parse(child, CultureInfo.InvariantCulture), args);

        var sizes = ExperimentArguments.IntList(args, "--connections", [10, 100, 1000]);
        var report = new ExperimentReport("footprint", console);
        var output = report.Out;
        output.WriteLine("Footprint: a ring of N nodes in one process, each an unlimited source into its link to the next");
        output.WriteLine($"  date            {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} logical cores, machine shared with other work");
        output.WriteLine($"  traffic         {PayloadLength} B payload + 24 B header, buffer {BufferCapacity} messages per link, no payload fill");
        output.WriteLine("  memory          after warm-up, traffic still running, full GC first; per connection = (ring - same process before the ring) / N");
        output.WriteLine("  allocations     GC.GetTotalAllocatedBytes(precise) over the window / messages delivered in it (all threads)");
        output.WriteLine("  each N runs in its own child process; N nodes = N links = N active connections");
        output.WriteLine();

        var rows = new List<string[]>();
        foreach (var size in sizes)
        {
            var fields = await SelfProcess.RunAsync(["footprint", "--child", size.ToString(CultureInfo.InvariantCulture), .. ForwardedOptions(args)]);
            rows.Add(fields);
            console.WriteLine($"  N={size} done");
        }

        output.WriteLine();
        string[] headers = ["connections", "heap KB/conn", "working set KB/conn", "heap MB", "working set MB", "msg/s (all links)", "alloc B/msg", "gen0 GCs", "pool outstanding after stop", "link failures"];
        TextTable.Write(output, headers, rows.Select(Cells).ToList());
        output.WriteLine();
        output.WriteLine($"Target: <= {TargetBytesPerConnection / 1024:N0} KB per active connection (iOverlay: 4 MB); 0 B allocated per forwarded message in steady state.");
        output.WriteLine("Working set counts resident process memory only; kernel socket buffers (loopback, per connection) are not in it.");
        output.WriteLine("link failures = OnBrokenUpstream/OnBrokenDownstream/OnSendFailed calls up to the memory snapshot (0 expected).");
        report.AppendCsv(
            "connections,baseline_heap_bytes,heap_bytes,baseline_working_set_bytes,working_set_bytes,heap_bytes_per_connection,working_set_bytes_per_connection,messages_per_second,allocated_bytes_per_message,gen0_collections,pool_outstanding_after_stop,link_failures",
            rows.Select(r => string.Join(',', r)));
        report.SaveText();
        return rows.All(r => r[10] == "0") ? 0 : 1;
    }

    private static IEnumerable<string> ForwardedOptions(string[] args)
    {
        foreach (var name in new[] { "--seconds", "--warmup" })
        {
            if (ExperimentArguments.Value(args, name) is { } value)
            {
                yield return name;
                yield return value;
            }
        }
    }

    private static IReadOnlyList<string> Cells(string[] r)
    {
        double D(int i) => double.Parse(r[i], CultureInfo.InvariantCulture);
        return
        [
            r[0],
            (D(5) / 1024).ToString("N1"),
            (D(6) / 1024).ToString("N1"),
            (D(2) / 1e6).ToString("N1"),
            (D(4) / 1e6).ToString("N1"),
            D(7).ToString("N0"),
            D(8).ToString("N2"),
            r[9],
            r[10],
            r[11],
        ];
    }

    private static async Task<int> MeasureInChildAsync(int size, string[] args)
    {
        var warmup = TimeSpan.FromSeconds(ExperimentArguments.Double(args, "--warmup", 3));
        var window = TimeSpan.FromSeconds(ExperimentArguments.Double(args, "--seconds", 3));
        var progress = Console.Error;

        // JIT tiers, thread pool and GC settle on a small ring first; its pool dies with it.
        await RunRingAsync(10, new MessagePool(), async _ => await Task.Delay(TimeSpan.FromSeconds(2)));
        var before = ProcessSnapshot.Take(collect: true);

        var pool = new MessagePool();
        ProcessSnapshot start = default, end = default, memory = default;
        long delivered = 0, failures = 0;
        var gen0 = 0;
        await RunRingAsync(size, pool, async members =>
        {
            await Task.Delay(warmup);
            var delivered0 = Sum(members);
            var gen0Before = GC.CollectionCount(0);
            start = ProcessSnapshot.Take(collect: false);
            await Task.Delay(window);
            end = ProcessSnapshot.Take(collect: false);
            gen0 = GC.CollectionCount(0) - gen0Before;
            delivered = Sum(members) - delivered0;
            memory = ProcessSnapshot.Take(collect: true);
            failures = members.Sum(m => m.LinkFailures);
        });
        var outstanding = pool.Outstanding;
        progress.WriteLine($"  N={size}: {delivered / end.SecondsSince(start):N0} msg/s, heap {memory.ManagedHeap / 1e6:N1} MB, working set {memory.WorkingSet / 1e6:N1} MB, outstanding after stop {outstanding}, {failures} link failures");

        SelfProcess.WriteRow(
        [
            size.ToString(CultureInfo.InvariantCulture),
            before.ManagedHeap.ToString(CultureInfo.InvariantCulture),
            memory.ManagedHeap.ToString(CultureInfo.InvariantCulture),
            before.WorkingSet.ToString(CultureInfo.InvariantCulture),
            memory.WorkingSet.ToString(CultureInfo.InvariantCulture),
            ExperimentReport.Csv((double)(memory.ManagedHeap - before.ManagedHeap) / size),
            ExperimentReport.Csv((double)(memory.WorkingSet - before.WorkingSet) / size),
            ExperimentReport.Csv(delivered / end.SecondsSince(start)),
            ExperimentReport.Csv(delivered == 0 ? double.NaN : (double)end.AllocatedSince(start) / delivered),
            gen0.ToString(CultureInfo.InvariantCulture),
            outstanding.ToString(CultureInfo.InvariantCulture),
            failures.ToString(CultureInfo.InvariantCulture),
        ]);
        return outstanding == 0 ? 0 : 1;
    }

    private static long Sum(RingMember[] members) => members.Sum(m => m.Delivered);

    /// <summary>Starts a ring of <paramref name="size"/> nodes with a source on each, runs <paramref name="measure"/>, stops it.</summary>
    private static async Task RunRingAsync(int size, MessagePool pool, Func<RingMember[], Task> measure)
    {
        var members = new RingMember[size];
        var nodes = new List<OverlayNode>(size);
        try
        {
            for (var i = 0; i < size; i++)
            {
                members[i] = new RingMember();
                var node = new OverlayNode(new OverlayNodeOptions { BindAddress = IPAddress.Loopback, BufferCapacity = BufferCapacity, Pool = pool }, members[i]);
                nodes.Add(node);
                await node.StartAsync();
            }

            for (var i = 0; i < size; i++)
                members[i].Next = nodes[(i + 1) % size].Id;
            foreach (var node in nodes)
                await node.DeploySourceAsync(ApplicationId, new SourceOptions { PayloadLength = PayloadLength, Fill = static _ => { } });

            await measure(members);
        }
        finally
        {
            await Task.WhenAll(nodes.Where(n => n.IsRunning).Select(n => n.TerminateSourceAsync(ApplicationId)));
            await Task.WhenAll(nodes.Select(n => n.StopAsync()));
        }
    }
}
