using Overlay.Trees;

// The tree-construction experiment of the iOverlay paper (section 3.3) on this machine: N nodes with per-node total
// bandwidth drawn from a distribution, a data source at node 0, nodes joining one by one, then throughput measured.
return await ExperimentOptions.Command(options => new Experiment(options).RunAsync()).Parse(args).InvokeAsync();
