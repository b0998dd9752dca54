using Microsoft.Extensions.Logging;

namespace Overlay.Modules;

/// <summary>
/// An existing <see cref="Algorithm"/>, unchanged, as a layer of a <see cref="ProtocolStack"/> — usually the top one.
/// Its <c>Send</c> goes through the layers below (so a routing module can carry it), and it gets every message of the
/// types it is declared to own, and every engine notification, in its own <see cref="Algorithm.Process"/>.
/// </summary>
/// <remarks>
/// An algorithm does not declare its types, so whoever stacks it does: <see cref="MessageTypeRange"/>s covering every
/// type it sends and handles, including <see cref="MessageTypes.Data"/> when it takes a source's messages. Alone in a
/// stack it behaves as it does as a node's algorithm. It makes no up-calls (an algorithm has none); below other modules it
/// passes their sends through unchanged.
/// </remarks>
public sealed class AlgorithmModule : ProtocolModule
{
    /// <summary>Wraps <paramref name="algorithm"/>, which owns <paramref name="ownedTypes"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="algorithm"/> is a module or a stack already: stack it directly.</exception>
    public AlgorithmModule(Algorithm algorithm, params ReadOnlySpan<MessageTypeRange> ownedTypes)
        : base(ownedTypes)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        if (algorithm is ProtocolModule or ProtocolStack)
            throw new ArgumentException($"{algorithm.GetType().Name} is already a module or a stack: add it to the stack directly.", nameof(algorithm));
        Algorithm = algorithm;
    }

    /// <summary>The wrapped algorithm.</summary>
    public Algorithm Algorithm { get; }

    /// <summary>The wrapped algorithm's type name.</summary>
    public override string Name => Algorithm.GetType().Name;

    /// <summary>Hands the message to the wrapped algorithm; its answer is this module's.</summary>
    public override Disposition Process(Message message) => Algorithm.Process(message);

    /// <inheritdoc/>
    protected override void OnStart() => Algorithm.RunStart();

    /// <inheritdoc/>
    protected override void OnStop() => Algorithm.RunStop();

    internal override void LearnHost(NodeId peer)
    {
        base.LearnHost(peer);
        Algorithm.LearnHost(peer);
    }

    internal override void Attach(OverlayNode node, ILogger logger)
    {
        base.Attach(node, logger);
        // The algorithm logs under its own name and sends through this layer's lower neighbour, as this layer would.
        Algorithm.Attach(node, node.LoggerFactory.CreateLogger(Algorithm.GetType()));
        Algorithm.Below = Below;
    }
}
