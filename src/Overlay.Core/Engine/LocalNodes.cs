using System.Collections.Concurrent;

namespace Overlay.Engine;

/// <summary>
/// The nodes running in this process. Nodes of one process share its fate: one cannot freeze or starve while
/// another runs, and a node that stops or crashes alone closes its sockets, which its peers see at once. So
/// keep-alives and silence time-outs between them would only cost frames.
/// </summary>
internal static class LocalNodes
{
    private static readonly ConcurrentDictionary<NodeId, byte> s_running = new();

    /// <summary>Records a node as running here.</summary>
    public static void Add(NodeId node) => s_running.TryAdd(node, 0);

    /// <summary>Records that a node stopped running here.</summary>
    public static void Remove(NodeId node) => s_running.TryRemove(node, out _);

    /// <summary>True when <paramref name="node"/> runs in this process.</summary>
    public static bool Contains(NodeId node) => s_running.ContainsKey(node);
}
