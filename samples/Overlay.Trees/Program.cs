using Overlay.Trees;

// The tree-construction experiment of the iOverlay paper (section 3.3) on this machine: N nodes with per-node total
// bandwidth drawn from a distribution, a data source at node 0, nodes joining one by one, then throughput measured.
ExperimentOptions options;
try
{
    options = ExperimentOptions.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(ExperimentOptions.Usage);
    return 2;
}

return await new Experiment(options).RunAsync();
