namespace Overlay.Engine;

/// <summary>
/// Something the switch serves in its weighted round-robin: an upstream link's inbound buffer or a local
/// application source. Only the node's loop touches this state.
/// </summary>
internal abstract class InputPort
{
    /// <summary>Sends made while processing this input's last message that wait for room in a full outbound buffer.</summary>
    public int PendingSends { get; set; }

    /// <summary>
    /// Messages served per round. Read by the switch; an upstream link's is set by the node (any thread, see
    /// <see cref="OverlayNode.SetUpstreamWeight"/>), an int, so a round sees the old weight or the new one.
    /// </summary>
    public int Weight { get; protected set; } = 1;

    /// <summary>True while the input waits for its pending sends; it yields nothing new until they fit.</summary>
    public bool IsStalled => PendingSends > 0;

    /// <summary>Gives the next message to process, with one reference owned by the caller.</summary>
    public abstract bool TryTake(out Message message);

    /// <summary>Called once every send of the message taken last has been accepted: the input may advance.</summary>
    public virtual void OnDispatched()
    {
    }
}
