using System.Net;
using Overlay.Buffers;

namespace Overlay.Perf;

/// <summary>
/// N overlay nodes in one process, linked 0 → 1 → … → N-1 over 127.0.0.1, with an unlimited source on node 0
/// and a counting sink on node N-1.
/// </summary>
internal sealed class EngineChain : IAsyncDisposable
{
    private const int ApplicationId = 1;

    private readonly OverlayNode?[] _nodes;

    private EngineChain(OverlayNode?[] nodes, ThroughputCounter delivered)
    {
        _nodes = nodes;
        Delivered = delivered;
    }

    /// <summary>What reached the last node.</summary>
    public ThroughputCounter Delivered { get; }

    public static async Task<EngineChain> StartAsync(int length, int payloadLength, int bufferCapacity, MessagePool pool, Action<Message>? fill)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 2);
        var chain = new EngineChain(new OverlayNode?[length], new ThroughputCounter());
        try
        {
            // Built from the sink backwards so that each relay knows its successor's identity when it is created.
            NodeId? next = null;
            for (var i = length - 1; i >= 0; i--)
            {
                var options = new OverlayNodeOptions
                {
                    BindAddress = IPAddress.Loopback,
                    BufferCapacity = bufferCapacity,
                    Pool = pool,
                };
                var node = new OverlayNode(options, new ChainRelay(next, chain.Delivered));
                chain._nodes[i] = node;
                await node.StartAsync();
                next = node.Id;
            }

            await chain._nodes[0]!.DeploySourceAsync(ApplicationId, new SourceOptions { PayloadLength = payloadLength, Fill = fill });
        }
        catch
        {
            await chain.DisposeAsync();
            throw;
        }

        return chain;
    }

    public async ValueTask DisposeAsync()
    {
        if (_nodes[0] is { IsRunning: true } head)
            await head.TerminateSourceAsync(ApplicationId);

        // Head first: each node drains its outbound buffer into a successor that is still reading.
        foreach (var node in _nodes)
        {
            if (node is not null)
                await node.StopAsync();
        }
    }
}
