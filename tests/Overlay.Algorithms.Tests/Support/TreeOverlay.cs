using System.Diagnostics;
using Overlay.Algorithms.Trees;
using Overlay.Buffers;

namespace Overlay.Algorithms.Tests.Support;

/// <summary>
/// Nodes on 127.0.0.1 running one tree algorithm, each with its own emulated total bandwidth; node 0 is the source of
/// <see cref="Application"/>. Knows how to join nodes, read their views, check the tree and measure throughput.
/// </summary>
internal sealed class TreeOverlay : IAsyncDisposable
{
    public const int Application = 1;

    private readonly TestOverlay _overlay = new();
    private readonly List<SessionAlgorithm> _algorithms = [];
    private readonly HashSet<int> _dead = [];

    private TreeOverlay(TreeKind kind)
    {
        Kind = kind;
    }

    public TreeKind Kind { get; }

    public MessagePool Pool => _overlay.Pool;

    public IReadOnlyList<OverlayNode> Nodes => _overlay.Nodes;

    public IEnumerable<int> Live => Enumerable.Range(0, Nodes.Count).Where(i => !_dead.Contains(i));

    public static SessionAlgorithm Create(TreeKind kind, SessionOptions options) => kind switch
    {
        TreeKind.NodeStressAware => new NodeStressAwareTree(options),
        TreeKind.Random => new RandomTree(options),
        TreeKind.AllUnicast => new AllUnicastTree(options),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Starts one node per bandwidth (bytes/s); each learns <paramref name="bootstrap"/> random others (all when null).</summary>
    public static async Task<TreeOverlay> StartAsync(
        TreeKind kind, IReadOnlyList<double> bandwidths, TimeSpan stressInterval, int seed, int? bootstrap = null)
    {
        var tree = new TreeOverlay(kind);
        for (var i = 0; i < bandwidths.Count; i++)
        {
            var options = new SessionOptions
            {
                StressInterval = stressInterval,
                JoinRetryInterval = TimeSpan.FromSeconds(2),
                AnnounceInterval = TimeSpan.FromSeconds(2),
                Seed = (seed * 1000) + i,
            };
            var algorithm = Create(kind, options);
            var bandwidth = bandwidths[i];
            var index = i;
            await tree._overlay.AddAsync(algorithm, o =>
            {
                o.TotalBandwidth = bandwidth;
                o.BufferCapacity = 4;
                o.SocketBufferSize = 8 * 1024; // so control messages do not queue behind megabytes of data in kernel buffers
                o.FailureTimeout = TimeSpan.FromSeconds(5); // a crash closes sockets at once; silence is not what is tested
                o.EmulationSeed = index;
            });
            tree._algorithms.Add(algorithm);
        }

        var random = new Random(seed);
        var ids = tree.Nodes.Select(n => n.Id).ToArray();
        for (var i = 0; i < ids.Length; i++)
        {
            var others = ids.Where((_, j) => j != i).ToArray();
            random.Shuffle(others);
            tree._algorithms[i].AddKnownHosts(others.Take(bootstrap ?? others.Length));
        }

        return tree;
    }

    /// <summary>Node <paramref name="index"/> learns of the nodes <paramref name="others"/>.</summary>
    public void Learn(int index, params int[] others) => _algorithms[index].AddKnownHosts(others.Select(o => Nodes[o].Id));

    public Task StartSessionAsync(SourceOptions? source) =>
        Nodes[0].InvokeAsync(() => _algorithms[0].StartSession(Application, source));

    /// <summary>Node <paramref name="index"/> starts joining.</summary>
    public Task BeginJoinAsync(int index) => Nodes[index].InvokeAsync(() => _algorithms[index].JoinSession(Application));

    /// <summary>Node <paramref name="index"/> joins; true once it is attached (within <paramref name="timeout"/>).</summary>
    public async Task<bool> JoinAsync(int index, TimeSpan timeout)
    {
        await BeginJoinAsync(index);
        return await Eventually.TrueAsync(() => View(index)?.IsAttached == true, timeout);
    }

    public SessionSnapshot? View(int index) => _algorithms[index].GetSnapshot(Application);

    /// <summary>Null when the live nodes form one tree rooted at node 0; otherwise what is wrong.</summary>
    public string? Problem() => TreeShape.Problem(Live.ToDictionary(i => Nodes[i].Id, View), Nodes[0].Id);

    /// <summary>Waits until the live nodes form one tree; null then, or the last problem seen.</summary>
    public async Task<string?> SettleAsync(TimeSpan timeout)
    {
        await Eventually.TrueAsync(() => Problem() is null, timeout);
        return Problem();
    }

    /// <summary>Payload bytes per second each live node received from its parent over <paramref name="window"/> (node 0 excluded).</summary>
    public async Task<Dictionary<int, double>> MeasureAsync(TimeSpan window)
    {
        var receivers = Live.Where(i => i != 0).ToArray();
        var before = receivers.ToDictionary(i => i, i => View(i)?.BytesReceived ?? 0);
        var clock = Stopwatch.StartNew();
        await Task.Delay(window);
        var after = receivers.ToDictionary(i => i, i => View(i)?.BytesReceived ?? 0);
        var seconds = clock.Elapsed.TotalSeconds;
        return receivers.ToDictionary(i => i, i => (after[i] - before[i]) / seconds);
    }

    public async Task KillAsync(int index)
    {
        _dead.Add(index);
        await Nodes[index].TerminateAsync();
    }

    public string Describe(Func<int, string>? name = null)
    {
        name ??= i => i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var byId = Enumerable.Range(0, Nodes.Count).ToDictionary(i => Nodes[i].Id, i => name(i));
        var lines = Live.Select(i =>
        {
            var view = View(i);
            var parent = view is null || view.Parent.IsNone ? "-" : byId.GetValueOrDefault(view.Parent, view.Parent.ToString());
            var bandwidth = Nodes[i].GetBandwidth(Emulation.BandwidthScope.Total) ?? 0;
            return $"  {name(i),3} bw {bandwidth / 1000,5:F0} KB/s parent {parent,3} degree {view?.Degree ?? 0} stress/100KB/s {(view?.Stress ?? 0) * 100_000:F2}";
        });
        return $"{Kind}:\n{string.Join('\n', lines)}";
    }

    public async ValueTask DisposeAsync() => await _overlay.DisposeAsync();
}
