namespace Overlay.Modules;

/// <summary>
/// One layer of a <see cref="ProtocolStack"/>: an <see cref="Algorithm"/> that owns a declared set of message types
/// and talks to the layers next to it — down by <c>Send</c>, up by <see cref="DeliverUp"/>.
/// </summary>
/// <remarks>
/// <para>A module is an algorithm with the same API and the same rules (one logical thread, the ownership rules of
/// <see cref="Algorithm"/>), plus three things:</para>
/// <list type="bullet">
/// <item><description><b>Owned types</b> (<see cref="OwnedTypes"/>, fixed at construction): the stack gives the module
/// every message of those types — from a peer, a local source, a loopback send, or delivered up by a module below.
/// Engine notifications (types from <see cref="MessageTypes.EngineReservedStart"/> up) go to every module.</description></item>
/// <item><description><b>Down-calls</b>: <c>Send</c> goes to the module below (its <see cref="OnSendFromAbove"/>), the
/// bottom module's to the node. A module that does not override <see cref="OnSendFromAbove"/> passes sends through
/// unchanged; a routing module overrides it to wrap a message for its destination and send it to the next hop.</description></item>
/// <item><description><b>Up-calls</b>: <see cref="DeliverUp"/> hands a message (typically one unwrapped at its
/// destination) to the module above that owns its type.</description></item>
/// </list>
/// <para>Every other node service (<c>CreateMessage</c>, <c>Schedule</c>, sources, <c>MeasurePeer</c>,
/// <c>Disconnect</c>, <c>Trace</c>, weights) is the node's and reached directly from any layer.</para>
/// </remarks>
public abstract class ProtocolModule : Algorithm
{
    private readonly MessageTypeRange[] _ownedTypes;

    /// <summary>A module owning <paramref name="ownedTypes"/> (none for a module that only passes messages through).</summary>
    /// <param name="ownedTypes">The type ranges this module handles; a stack refuses ranges that overlap another module's or the engine's.</param>
    protected ProtocolModule(params ReadOnlySpan<MessageTypeRange> ownedTypes)
    {
        _ownedTypes = ownedTypes.ToArray();
        OwnedTypes = Array.AsReadOnly(_ownedTypes);
    }

    /// <summary>The message types this module owns, as declared.</summary>
    public IReadOnlyList<MessageTypeRange> OwnedTypes { get; }

    /// <summary>The name errors and logs use for this module: by default its type's name.</summary>
    public virtual string Name => GetType().Name;

    /// <summary>The stack this module is a layer of, or null while it is in none.</summary>
    public ProtocolStack? Stack { get; internal set; }

    /// <summary>This module's place in its stack: 0 for the bottom layer (next to the node), -1 while in no stack.</summary>
    public int Layer { get; internal set; } = -1;

    /// <summary>
    /// A layer above sent <paramref name="message"/> to <paramref name="destination"/> (a down-call). By default it is
    /// passed on down unchanged (<c>Send</c>). Override it to wrap, route, queue or refuse what upper layers send.
    /// </summary>
    /// <remarks>
    /// The ownership rule is <c>Send</c>'s: the caller keeps its reference, so an override that keeps the message past
    /// this call retains it (<see cref="Message.Retain()"/>) and releases it later; a wrapper made with
    /// <c>CreateMessage</c> is released by the engine when the callback ends, after <c>Send</c> took its own references.
    /// A non-blocking send (<see cref="OnTrySendFromAbove"/>) and a query for room (<see cref="OnCanSendFromAbove"/>)
    /// take the same path down: the layer that routes answers for the next hop of the destination, the bottom layer
    /// asks the node.
    /// </remarks>
    protected virtual void OnSendFromAbove(Message message, NodeId destination) => Send(message, destination);

    /// <summary>
    /// A layer above tried a non-blocking send (<c>TrySend</c>) of <paramref name="message"/> to
    /// <paramref name="destination"/>. By default it is passed on down unchanged (<c>TrySend</c>); a routing module
    /// overrides it to wrap the message and try its next hop.
    /// </summary>
    /// <returns>True when the message was queued; false when there was no room (nothing taken: <c>TrySend</c>'s rule).</returns>
    protected virtual bool OnTrySendFromAbove(Message message, NodeId destination) => TrySend(message, destination);

    /// <summary>
    /// A layer above asked whether a send to <paramref name="destination"/> would find room now (<c>CanSend</c>). By
    /// default the question goes on down unchanged; a routing module answers for its next hop.
    /// </summary>
    protected virtual bool OnCanSendFromAbove(NodeId destination) => CanSend(destination);

    /// <summary>
    /// An up-call: gives <paramref name="message"/> to the module above this one that owns its type, as if it had
    /// arrived for that module (its <see cref="Algorithm.Process"/>).
    /// </summary>
    /// <returns>
    /// What the receiving module did with it. The caller keeps its own reference either way: when the module above
    /// answers <see cref="Disposition.Hold"/> it keeps a reference of its own.
    /// </returns>
    /// <remarks>
    /// A type no module owns, or one owned by this module or a module below it (a looping delivery), is not delivered:
    /// the stack logs it and counts it (<see cref="ProtocolStack.UnownedMessages"/>,
    /// <see cref="ProtocolStack.MisdirectedDeliveries"/>) and the answer is <see cref="Disposition.Consumed"/> — such a
    /// type may come from a peer's bad frame, so it must not fail the node. An exception thrown by the module above is
    /// logged and counts as <see cref="Disposition.Consumed"/>; it does not reach this module.
    /// </remarks>
    /// <exception cref="InvalidOperationException">This module is in no stack.</exception>
    protected Disposition DeliverUp(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var stack = Stack ?? throw new InvalidOperationException($"Module {Name} is in no protocol stack: there is no layer above to deliver to.");
        return stack.DeliverAbove(this, message);
    }

    internal MessageTypeRange[] DeclaredTypes => _ownedTypes;

    // The entry for Algorithm.Send of the layer above (the hook itself stays protected for modules in any assembly).
    internal void SendFromAbove(Message message, NodeId destination) => OnSendFromAbove(message, destination);

    internal bool TrySendFromAbove(Message message, NodeId destination) => OnTrySendFromAbove(message, destination);

    internal bool CanSendFromAbove(NodeId destination) => OnCanSendFromAbove(destination);
}
