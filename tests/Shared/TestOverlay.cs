using Overlay.Buffers;

namespace Overlay.Testing;

/// <summary>Shared by every test project (linked in by tests/Directory.Build.props). A handful of nodes on 127.0.0.1 sharing one private pool, stopped together.</summary>
internal sealed class TestOverlay : IAsyncDisposable
{
    private readonly List<OverlayNode> _nodes = [];

    public MessagePool Pool { get; } = new();

    public IReadOnlyList<OverlayNode> Nodes => _nodes;

    public async Task<OverlayNode> AddAsync(Algorithm algorithm, Action<OverlayNodeOptions>? configure = null)
    {
        var options = new OverlayNodeOptions { Pool = Pool };
        configure?.Invoke(options);
        var node = new OverlayNode(options, algorithm);
        await node.StartAsync();
        _nodes.Add(node);
        return node;
    }

    public async Task StopAllAsync()
    {
        await Task.WhenAll(_nodes.Select(n => n.StopAsync()));
    }

    public async ValueTask DisposeAsync() => await StopAllAsync();
}
