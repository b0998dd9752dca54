namespace Overlay.Algorithms.Trees;

/// <summary>
/// The all-unicast control of the iOverlay paper: every query goes to the session's source, which accepts it, so the
/// source sends one unicast stream to every receiver.
/// </summary>
/// <remarks>A joiner that knows the source (from its announcement) sends the query there directly; any other node
/// that does passes it there; a tree node always knows it (the first node of its path).</remarks>
public sealed class AllUnicastTree : SessionAlgorithm
{
    /// <summary>Creates the algorithm.</summary>
    /// <param name="options">Settings; null for the defaults.</param>
    public AllUnicastTree(SessionOptions? options = null)
        : base(options)
    {
    }

    /// <inheritdoc />
    protected override bool SendQueriesToSource => true;

    /// <inheritdoc />
    protected override bool TakesFirstOffer => true;

    /// <inheritdoc />
    protected override void RouteQuery(Session session, JoinQuery query)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (session.IsSource)
            AcceptQuery(session, query);
        else
            ForwardQuery(session, query, session.Path[0]);
    }
}
