namespace Overlay.Runtime;

/// <summary>
/// The nodes running in one world (<see cref="OverlayRuntime"/>). Nodes of one world share its fate: one cannot
/// freeze or starve while another runs, and a node that stops or crashes alone closes its sockets, which its peers see
/// at once. So keep-alives and silence time-outs between them would only cost frames. A node of another world, even
/// in the same process, is a stranger: it gets keep-alives and is judged by its silence like any remote peer.
/// </summary>
/// <remarks>
/// Identities are counted, not just recorded: nodes on two in-memory networks of one world can have the same identity
/// (each network numbers its nodes from 10.0.0.1), and one of them stopping must not take the other off the list.
/// Read once per link per liveness tick, never per message, so a lock is cheap enough.
/// </remarks>
internal sealed class LocalNodes
{
    private readonly Dictionary<NodeId, int> _running = [];
    private int _count;

    /// <summary>How many nodes run in this world.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Records a node as running here.</summary>
    public void Add(NodeId node)
    {
        lock (_running)
        {
            _running[node] = _running.GetValueOrDefault(node) + 1;
            _count++;
        }
    }

    /// <summary>Records that a node stopped running here.</summary>
    public void Remove(NodeId node)
    {
        lock (_running)
        {
            if (!_running.TryGetValue(node, out var count))
                return;
            if (count > 1)
                _running[node] = count - 1;
            else
                _running.Remove(node);
            _count--;
        }
    }

    /// <summary>True when a node with identity <paramref name="node"/> runs in this world.</summary>
    public bool Contains(NodeId node)
    {
        lock (_running)
            return _running.ContainsKey(node);
    }
}
