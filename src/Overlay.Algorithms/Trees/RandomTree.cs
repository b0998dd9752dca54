namespace Overlay.Algorithms.Trees;

/// <summary>
/// The randomized control of the iOverlay paper: the first tree node a gossiped query reaches accepts it, and the
/// joiner takes the first acknowledgement that arrives.
/// </summary>
public sealed class RandomTree : SessionAlgorithm
{
    /// <summary>Creates the algorithm.</summary>
    /// <param name="options">Settings; null for the defaults.</param>
    public RandomTree(SessionOptions? options = null)
        : base(options)
    {
    }

    /// <inheritdoc />
    protected override bool TakesFirstOffer => true;

    /// <inheritdoc />
    protected override void RouteQuery(Session session, JoinQuery query) => AcceptQuery(session, query);
}
