using System.Collections.Concurrent;

namespace Overlay.Runtime;

/// <summary>
/// The nodes running in one world (<see cref="OverlayRuntime"/>). Nodes of one world share its fate: one cannot
/// freeze or starve while another runs, and a node that stops or crashes alone closes its sockets, which its peers see
/// at once. So keep-alives and silence time-outs between them would only cost frames. A node of another world, even
/// in the same process, is a stranger: it gets keep-alives and is judged by its silence like any remote peer.
/// </summary>
internal sealed class LocalNodes
{
    private readonly ConcurrentDictionary<NodeId, byte> _running = new();

    /// <summary>How many nodes run in this world.</summary>
    public int Count => _running.Count;

    /// <summary>Records a node as running here.</summary>
    public void Add(NodeId node) => _running.TryAdd(node, 0);

    /// <summary>Records that a node stopped running here.</summary>
    public void Remove(NodeId node) => _running.TryRemove(node, out _);

    /// <summary>True when <paramref name="node"/> runs in this world.</summary>
    public bool Contains(NodeId node) => _running.ContainsKey(node);
}
