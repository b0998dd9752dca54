namespace Overlay.Algorithms.Services;

/// <summary>
/// Which service types may feed which: the producer → consumer relation that every node's <see cref="ServiceGraph"/>
/// follows. Requirements are drawn from it; a node measures bandwidth to instances of its consumer types and tells
/// instances of its producer types what it reaches. Immutable.
/// </summary>
public sealed class ServiceCatalogue
{
    private readonly HashSet<(int Producer, int Consumer)>? _edges;

    private ServiceCatalogue(HashSet<(int, int)>? edges) => _edges = edges;

    /// <summary>Every type may feed every other type: simple, but each node then measures every service instance it hears of.</summary>
    public static ServiceCatalogue Complete { get; } = new(null);

    /// <summary>A catalogue with exactly the given producer → consumer pairs.</summary>
    public static ServiceCatalogue FromEdges(IEnumerable<(int Producer, int Consumer)> edges)
    {
        ArgumentNullException.ThrowIfNull(edges);
        return new ServiceCatalogue([.. edges]);
    }

    /// <summary>True when <paramref name="producer"/>'s output may be consumed by <paramref name="consumer"/>.</summary>
    public bool Feeds(int producer, int consumer) =>
        producer != consumer && producer > 0 && consumer > 0 && (_edges is null || _edges.Contains((producer, consumer)));

    /// <summary>True when one of the two types feeds the other: their instances are each other's direct upstream or downstream.</summary>
    public bool Related(int a, int b) => Feeds(a, b) || Feeds(b, a);

    /// <summary>True when every producer → consumer edge of <paramref name="requirement"/> is in the catalogue.</summary>
    public bool Allows(ServiceRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(requirement);
        foreach (var (from, to) in requirement.Edges)
        {
            if (!Feeds(requirement.Services[from], requirement.Services[to]))
                return false;
        }

        return true;
    }
}
