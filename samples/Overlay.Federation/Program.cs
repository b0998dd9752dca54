using System.Diagnostics;
using System.Globalization;
using Overlay.Algorithms.Services;
using Overlay.Federation.Experiments;
using Overlay.Federation;

// The paper's service federation experiment (section 3.4, Fig. 16–19) on local nodes: a seeded service overlay with
// heterogeneous emulated bandwidths, services assigned one by one, then M requirements per minute, each federated
// with sFlow, fixed and random in turn. Prints the control overhead per message type and the end-to-end throughput per
// algorithm, and writes both as CSV to benchmarks/results/.
return await HarnessSettings.Command(RunAsync).Parse(args).InvokeAsync();

static async Task<int> RunAsync(HarnessSettings settings)
{
    var scenario = new FederationScenario(settings.Nodes, settings.Seed);
    var options = new ServiceFederationOptions
    {
        MaintenanceInterval = TimeSpan.FromMilliseconds(500),
        MeasurementInterval = TimeSpan.FromSeconds(120),
        ReportInterval = TimeSpan.FromSeconds(1),
        DataPayloadLength = 5 * 1024,
    };
    var strategies = Enum.GetValues<FederationStrategy>();
    var simulator = new FederationSimulator(scenario);
    var clock = Stopwatch.StartNew();

    Console.WriteLine($"sFlow federation: {settings.Nodes} local nodes, seed {settings.Seed}, {scenario.Services.Count(s => s != 0)} service nodes, " +
        $"{settings.RequirementsPerMinute} requirements/min for {settings.Minutes} min, links {FederationScenario.MinBandwidth / 1000:F0}–{FederationScenario.MaxBandwidth / 1000:F0} KB/s");
    await using var testbed = await FederationTestbed.StartAsync(scenario, options);
    await testbed.AssignServicesAsync(TimeSpan.FromMilliseconds(200));
    var warmup = Stopwatch.StartNew();
    while (testbed.MeasurementCoverage() < 0.98 && warmup.Elapsed < TimeSpan.FromSeconds(60))
        await Task.Delay(500);
    Console.WriteLine($"awareness and measurements: {testbed.MeasurementCoverage():P0} of downstream instances measured after {clock.Elapsed.TotalSeconds:F1} s");

    var sessions = new List<SessionRow>();
    var draw = new Random(settings.Seed);
    var total = (int)Math.Round(settings.RequirementsPerMinute * settings.Minutes);
    var slot = TimeSpan.FromMinutes(1.0 / settings.RequirementsPerMinute);
    var sessionLength = TimeSpan.FromSeconds(Math.Max(2, (slot.TotalSeconds / strategies.Length) - 0.5));
    var application = 1;
    for (var r = 0; r < total; r++)
    {
        var started = clock.Elapsed;
        var requirement = scenario.NextRequirement(draw);
        var sources = scenario.InstancesOf(requirement.Source).ToArray();
        var source = sources[draw.Next(sources.Length)];

        // Rotate the order, so no strategy always runs first (on the freshest measurements) or last.
        for (var k = 0; k < strategies.Length; k++)
        {
            var strategy = strategies[(r + k) % strategies.Length];
            var report = await testbed.RunSessionAsync(source, application, requirement, strategy, sessionLength);
            var model = simulator.Federate(requirement, source, strategy, new Random(application));
            var row = SessionRow.Create(r, application, strategy, requirement, source, report, model?.Throughput, testbed);
            sessions.Add(row);
            Console.WriteLine(row.Describe());
            application++;
        }

        var rest = slot - (clock.Elapsed - started);
        if (rest > TimeSpan.Zero)
            await Task.Delay(rest);
    }

    // Counted before stopping: the withdrawals a shutdown sets off are not part of the experiment.
    var elapsed = clock.Elapsed;
    var overhead = OverheadRow.Collect(testbed.Algorithms, elapsed);
    var perNode = OverheadRow.PerNodeCsv(testbed.Algorithms);
    var measurements = testbed.Algorithms.Sum(a => a.MeasurementsStarted);
    await testbed.StopAsync();

    Console.WriteLine();
    Console.WriteLine($"Control overhead over {elapsed.TotalSeconds:F0} s ({settings.Nodes} nodes; header + payload per destination, sender side):");
    Console.WriteLine(OverheadRow.Table(overhead));
    Console.WriteLine($"Bandwidth measurements (the engine's probe trains, 8 × 8 KB each, not control messages): {measurements} trains, ~{measurements * 64.0 / 1024:F1} MB");
    Console.WriteLine();
    Console.WriteLine("End-to-end throughput per algorithm (live: the sink's average rate over each session and over its last second; " +
        "bottleneck: the narrowest emulated link between the nodes chosen live; simulated: the same rule on exact bandwidths):");
    Console.WriteLine(SessionRow.Table(sessions, strategies));

    var directory = HarnessSettings.ResultsDirectory();
    var stem = Path.Combine(directory, $"sflow-{settings.Nodes}n-{settings.RequirementsPerMinute.ToString(CultureInfo.InvariantCulture)}rpm-{settings.Minutes.ToString(CultureInfo.InvariantCulture)}min-seed{settings.Seed}");
    await File.WriteAllTextAsync(stem + "-sessions.csv", SessionRow.Csv(sessions));
    await File.WriteAllTextAsync(stem + "-overhead.csv", OverheadRow.Csv(overhead));
    await File.WriteAllTextAsync(stem + "-nodes.csv", perNode);
    Console.WriteLine($"CSV: {stem}-sessions.csv, {stem}-overhead.csv (per type), {stem}-nodes.csv (per node and type)");
    Console.WriteLine($"messages outside the pool after stopping: {testbed.Pool.Outstanding}");
    return 0;
}
