using Microsoft.Extensions.Logging;

namespace Overlay.Modules;

/// <summary>
/// Protocol modules stacked in one node, bottom layer first — e.g. a routing module beneath a session module beneath
/// an application. The stack is itself an <see cref="Algorithm"/>: <c>new OverlayNode(options, stack)</c> runs it,
/// and the engine does not know it is a stack.
/// </summary>
/// <remarks>
/// <para><b>Types.</b> Each module owns the message types it declares (<see cref="ProtocolModule.OwnedTypes"/>). The
/// constructor refuses ranges that overlap each other or the engine's reserved types, naming both modules and the
/// types they both claim. A message is given to the module that owns its type (a binary search over the ranges, no
/// allocation); a type no module owns is logged, counted in <see cref="UnownedMessages"/> and consumed.</para>
/// <para><b>Engine events</b> reach every module, each in its own <see cref="Algorithm.Process"/> (or its <c>On…</c>
/// handler): notifications (broken links, failed sends, source ends, throughput reports, measurement results, observer
/// commands) and <c>OnStart</c> go <b>bottom-up</b>, so a lower layer has learnt of a change (a broken link, a new
/// route) and is ready before the layers that send through it react; <c>OnStop</c> goes <b>top-down</b>, so upper
/// layers can still send through the lower ones while they stop, and a lower layer releases what it queued only after
/// nothing more comes down. A module that throws is logged and the event still reaches the others. Timers need no
/// routing: a module's <c>Schedule</c> callback is its own code.</para>
/// <para><b>Ownership.</b> A message the engine gives the stack keeps <see cref="Algorithm"/>'s rules: the owner's
/// answer is the stack's. A notification given to several modules is lent to each with a reference of its own, so a
/// module that answers <see cref="Disposition.Hold"/> keeps exactly one reference and releases it once, whatever the
/// other modules answered.</para>
/// </remarks>
public sealed partial class ProtocolStack : Algorithm
{
    private readonly ProtocolModule[] _modules;
    private readonly MessageTypeTable _table;
    private long _unowned;
    private long _misdirected;

    /// <summary>Stacks <paramref name="modules"/>, the bottom layer (next to the node) first.</summary>
    /// <exception cref="ArgumentException">
    /// No module; a module twice or already in another stack; or message types that overlap between modules or with
    /// the engine's reserved types (the message names the modules and the types).
    /// </exception>
    public ProtocolStack(params ReadOnlySpan<ProtocolModule> modules)
    {
        if (modules.IsEmpty)
            throw new ArgumentException("A protocol stack needs at least one module.", nameof(modules));
        _modules = modules.ToArray();
        for (var i = 0; i < _modules.Length; i++)
        {
            var module = _modules[i] ?? throw new ArgumentException($"Module {i} of the stack is null.", nameof(modules));
            if (module.Stack is not null)
                throw new ArgumentException($"Module '{module.Name}' is already a layer of another protocol stack; a module serves one stack.", nameof(modules));
            for (var j = 0; j < i; j++)
            {
                if (ReferenceEquals(_modules[j], module))
                    throw new ArgumentException($"Module '{module.Name}' is given twice (layers {j} and {i}); a module is one layer.", nameof(modules));
            }
        }

        _table = MessageTypeTable.Build(_modules);
        for (var i = 0; i < _modules.Length; i++)
        {
            _modules[i].Stack = this;
            _modules[i].Layer = i;
            _modules[i].Below = i == 0 ? null : _modules[i - 1];
        }

        Modules = Array.AsReadOnly(_modules);
    }

    /// <summary>The modules, bottom layer (index 0) first.</summary>
    public IReadOnlyList<ProtocolModule> Modules { get; }

    /// <summary>Messages dropped because no module owns their type (from a peer, a source, or an up-call). Thread-safe.</summary>
    public long UnownedMessages => Interlocked.Read(ref _unowned);

    /// <summary>Up-calls dropped because the type's owner is not above the module that delivered it. Thread-safe.</summary>
    public long MisdirectedDeliveries => Interlocked.Read(ref _misdirected);

    /// <summary>The module that owns <paramref name="type"/>, or null when none does (engine types included).</summary>
    public ProtocolModule? OwnerOf(int type)
    {
        var layer = _table.Find(type);
        return layer < 0 ? null : _modules[layer];
    }

    /// <summary>Gives <paramref name="message"/> to the module that owns its type, or an engine notification to every module, bottom-up.</summary>
    /// <returns>The owner's answer; <see cref="Disposition.Consumed"/> for a notification (each module that holds it has its own reference) or an unowned type.</returns>
    public override Disposition Process(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var type = message.Type;
        if (MessageTypes.IsEngineReserved(type))
            return Broadcast(message);
        var layer = _table.Find(type);
        if (layer >= 0)
            return _modules[layer].Process(message);
        CountUnowned(type, from: null);
        return Disposition.Consumed;
    }

    /// <inheritdoc/>
    protected override void OnStart()
    {
        for (var i = 0; i < _modules.Length; i++)
        {
            try
            {
                _modules[i].RunStart();
            }
            catch (Exception ex)
            {
                LogModuleFailed(Logger, ex, _modules[i].Name, i, "OnStart");
            }
        }
    }

    /// <inheritdoc/>
    protected override void OnStop()
    {
        for (var i = _modules.Length - 1; i >= 0; i--)
        {
            try
            {
                _modules[i].RunStop();
            }
            catch (Exception ex)
            {
                LogModuleFailed(Logger, ex, _modules[i].Name, i, "OnStop");
            }
        }
    }

    internal override void LearnHost(NodeId peer)
    {
        base.LearnHost(peer);
        foreach (var module in _modules)
            module.LearnHost(peer);
    }

    internal override void Attach(OverlayNode node, ILogger logger)
    {
        base.Attach(node, logger);
        foreach (var module in _modules)
            module.Attach(node, node.LoggerFactory.CreateLogger(module.GetType()));
    }

    /// <summary>An up-call from <paramref name="from"/>: see <see cref="ProtocolModule.DeliverUp"/>.</summary>
    internal Disposition DeliverAbove(ProtocolModule from, Message message)
    {
        var type = message.Type;
        var layer = _table.Find(type);
        if (layer < 0)
        {
            CountUnowned(type, from);
            return Disposition.Consumed;
        }

        if (layer <= from.Layer)
        {
            // Delivering to itself or downwards could loop for ever on a crafted frame (a carrier inside a carrier).
            var count = Interlocked.Increment(ref _misdirected);
            if (count == 1)
                LogMisdirected(Logger, type, _modules[layer].Name, layer, from.Name, from.Layer, count);
            else
                LogMisdirectedAgain(Logger, type, _modules[layer].Name, layer, from.Name, from.Layer, count);
            return Disposition.Consumed;
        }

        return Lend(message, layer);
    }

    private Disposition Broadcast(Message message)
    {
        for (var i = 0; i < _modules.Length; i++)
            Lend(message, i);
        return Disposition.Consumed;
    }

    // Gives a module a reference of its own for the call, so that its Hold keeps exactly one reference and a release it
    // makes at once cannot take the caller's. An exception counts as Consumed, as the engine counts one from Process.
    private Disposition Lend(Message message, int layer)
    {
        var module = _modules[layer];
        message.Retain();
        var disposition = Disposition.Consumed;
        try
        {
            disposition = module.Process(message);
        }
        catch (Exception ex)
        {
            LogModuleFailed(Logger, ex, module.Name, layer, "Process of type " + MessageTypeRange.Format(message.Type));
        }
        finally
        {
            if (disposition != Disposition.Hold)
                message.Release();
        }

        return disposition;
    }

    private void CountUnowned(int type, ProtocolModule? from)
    {
        var count = Interlocked.Increment(ref _unowned);
        // A peer can send any type: warn once, then keep the rest at debug level so bad input cannot flood the log.
        // Nothing is formatted here, so a flood of them allocates nothing either.
        if (from is null)
        {
            if (count == 1)
                LogUnowned(Logger, type, count);
            else
                LogUnownedAgain(Logger, type, count);
        }
        else
        {
            if (count == 1)
                LogUnownedDelivery(Logger, type, from.Name, from.Layer, count);
            else
                LogUnownedDeliveryAgain(Logger, type, from.Name, from.Layer, count);
        }
    }

    [LoggerMessage(EventId = 1100, EventName = "StackUnownedMessage", Level = LogLevel.Warning, Message = "Dropped a message of type {Type}: no module of the stack owns it ({Count} so far; further ones are logged at debug level)")]
    private static partial void LogUnowned(ILogger logger, int type, long count);

    [LoggerMessage(EventId = 1101, EventName = "StackUnownedMessageAgain", Level = LogLevel.Debug, Message = "Dropped a message of type {Type}: no module of the stack owns it ({Count} so far)")]
    private static partial void LogUnownedAgain(ILogger logger, int type, long count);

    [LoggerMessage(EventId = 1102, EventName = "StackUnownedDelivery", Level = LogLevel.Warning, Message = "Dropped an up-call of type {Type} from '{From}' (layer {FromLayer}): no module of the stack owns it ({Count} so far; further ones are logged at debug level)")]
    private static partial void LogUnownedDelivery(ILogger logger, int type, string from, int fromLayer, long count);

    [LoggerMessage(EventId = 1103, EventName = "StackUnownedDeliveryAgain", Level = LogLevel.Debug, Message = "Dropped an up-call of type {Type} from '{From}' (layer {FromLayer}): no module of the stack owns it ({Count} so far)")]
    private static partial void LogUnownedDeliveryAgain(ILogger logger, int type, string from, int fromLayer, long count);

    [LoggerMessage(EventId = 1104, EventName = "StackMisdirectedDelivery", Level = LogLevel.Warning, Message = "Dropped an up-call of type {Type}: its owner '{Owner}' (layer {OwnerLayer}) is not above '{From}' (layer {FromLayer}) ({Count} so far; further ones are logged at debug level)")]
    private static partial void LogMisdirected(ILogger logger, int type, string owner, int ownerLayer, string from, int fromLayer, long count);

    [LoggerMessage(EventId = 1105, EventName = "StackMisdirectedDeliveryAgain", Level = LogLevel.Debug, Message = "Dropped an up-call of type {Type}: its owner '{Owner}' (layer {OwnerLayer}) is not above '{From}' (layer {FromLayer}) ({Count} so far)")]
    private static partial void LogMisdirectedAgain(ILogger logger, int type, string owner, int ownerLayer, string from, int fromLayer, long count);

    [LoggerMessage(EventId = 1106, EventName = "StackModuleFailed", Level = LogLevel.Error, Message = "Module '{Module}' (layer {Layer}) failed in {Call}; the other modules still got it")]
    private static partial void LogModuleFailed(ILogger logger, Exception exception, string module, int layer, string call);
}
