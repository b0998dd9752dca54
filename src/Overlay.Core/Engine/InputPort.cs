namespace Overlay.Engine;

/// <summary>
/// Something the switch serves in its weighted round-robin: an upstream link's inbound buffer or a local
/// application source. Only the node's loop touches this state.
/// </summary>
internal abstract class InputPort
{
    /// <summary>Sends of the last message processed from this input that did not fit yet.</summary>
    public List<PendingSend> Pending { get; } = new(4);

    /// <summary>Messages served per round.</summary>
    public int Weight { get; set; } = 1;

    /// <summary>True while the input waits for its pending sends; it yields nothing new until they fit.</summary>
    public bool IsStalled => Pending.Count > 0;

    /// <summary>Gives the next message to process, with one reference owned by the caller.</summary>
    public abstract bool TryTake(out Message message);

    /// <summary>Called once every send of the message taken last has been accepted: the input may advance.</summary>
    public virtual void OnDispatched()
    {
    }
}
