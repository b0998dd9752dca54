using System.Buffers.Binary;

namespace Overlay.Algorithms.Services;

/// <summary>
/// A service requirement: a directed acyclic graph of service types from one source service to one sink service
/// (producer → consumer edges). The types are kept in a topological order, so the source is first and the sink last.
/// Immutable.
/// </summary>
public sealed class ServiceRequirement
{
    /// <summary>The most services one requirement may name (a position fits a byte on the wire).</summary>
    public const int MaxServices = 64;

    private readonly int[] _services;
    private readonly int[][] _successors;
    private readonly int[][] _predecessors;
    private readonly (int From, int To)[] _edges;

    /// <summary>Creates a requirement from its service types and producer → consumer edges between them.</summary>
    /// <param name="services">Distinct service types (positive integers).</param>
    /// <param name="edges">Producer → consumer pairs of types from <paramref name="services"/>.</param>
    /// <exception cref="ArgumentException">The graph is not a DAG with exactly one source and one sink, or names an unknown type.</exception>
    public ServiceRequirement(IReadOnlyList<int> services, IReadOnlyList<(int Producer, int Consumer)> edges)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(edges);
        if (services.Count is < 2 or > MaxServices)
            throw new ArgumentException($"A requirement names 2 to {MaxServices} services.", nameof(services));
        var index = new Dictionary<int, int>();
        for (var i = 0; i < services.Count; i++)
        {
            if (services[i] <= 0)
                throw new ArgumentException($"Service types are positive; got {services[i]}.", nameof(services));
            if (!index.TryAdd(services[i], i))
                throw new ArgumentException($"Service {services[i]} is named twice.", nameof(services));
        }

        var given = new List<(int, int)>();
        foreach (var (producer, consumer) in edges)
        {
            if (!index.TryGetValue(producer, out var from) || !index.TryGetValue(consumer, out var to))
                throw new ArgumentException($"The edge {producer}→{consumer} names a service outside the requirement.", nameof(edges));
            if (from == to)
                throw new ArgumentException($"The edge {producer}→{consumer} is a loop.", nameof(edges));
            if (!given.Contains((from, to)))
                given.Add((from, to));
        }

        var order = TopologicalOrder(services.Count, given)
            ?? throw new ArgumentException("The requirement has a cycle.", nameof(edges));
        var position = new int[services.Count];
        for (var i = 0; i < order.Length; i++)
            position[order[i]] = i;
        _services = new int[order.Length];
        for (var i = 0; i < order.Length; i++)
            _services[i] = services[order[i]];
        _edges = given.Select(e => (position[e.Item1], position[e.Item2])).OrderBy(e => e.Item1).ThenBy(e => e.Item2).ToArray();
        _successors = Enumerable.Range(0, _services.Length).Select(i => _edges.Where(e => e.From == i).Select(e => e.To).ToArray()).ToArray();
        _predecessors = Enumerable.Range(0, _services.Length).Select(i => _edges.Where(e => e.To == i).Select(e => e.From).ToArray()).ToArray();
        if (_successors.Count(s => s.Length == 0) != 1 || _predecessors.Count(p => p.Length == 0) != 1)
            throw new ArgumentException("A requirement has exactly one source service (no producer) and one sink service (no consumer).", nameof(edges));
    }

    /// <summary>A chain: each service consumes the output of the one before it.</summary>
    public static ServiceRequirement Chain(params int[] services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var edges = new List<(int, int)>();
        for (var i = 1; i < services.Length; i++)
            edges.Add((services[i - 1], services[i]));
        return new ServiceRequirement(services, edges);
    }

    /// <summary>The service types in topological order: the source first, the sink last.</summary>
    public IReadOnlyList<int> Services => _services;

    /// <summary>The producer → consumer edges as positions in <see cref="Services"/>.</summary>
    public IReadOnlyList<(int From, int To)> Edges => _edges;

    /// <summary>How many services the requirement names.</summary>
    public int Count => _services.Length;

    /// <summary>The source service type.</summary>
    public int Source => _services[0];

    /// <summary>The sink service type.</summary>
    public int Sink => _services[^1];

    /// <summary>Positions of the services that consume the output of the service at <paramref name="position"/>.</summary>
    public IReadOnlyList<int> SuccessorsOf(int position) => _successors[position];

    /// <summary>Positions of the services whose output the service at <paramref name="position"/> consumes.</summary>
    public IReadOnlyList<int> PredecessorsOf(int position) => _predecessors[position];

    /// <summary>The position of <paramref name="service"/>, or -1 when the requirement does not name it.</summary>
    public int PositionOf(int service) => Array.IndexOf(_services, service);

    /// <inheritdoc />
    public override string ToString() =>
        string.Join(", ", _edges.Select(e => $"{_services[e.From]}→{_services[e.To]}"));

    /// <summary>Bytes of the wire form: a count, the types, an edge count and the edges as position pairs.</summary>
    internal int WireLength => 1 + (4 * _services.Length) + 2 + (2 * _edges.Length);

    internal int Write(Span<byte> destination)
    {
        destination[0] = (byte)_services.Length;
        var at = 1;
        foreach (var service in _services)
        {
            BinaryPrimitives.WriteInt32BigEndian(destination[at..], service);
            at += 4;
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination[at..], (ushort)_edges.Length);
        at += 2;
        foreach (var (from, to) in _edges)
        {
            destination[at++] = (byte)from;
            destination[at++] = (byte)to;
        }

        return at;
    }

    /// <summary>Reads a requirement written by <see cref="Write"/>; false (never an exception) on a malformed one.</summary>
    internal static bool TryRead(ReadOnlySpan<byte> source, out ServiceRequirement? requirement, out int length)
    {
        requirement = null;
        length = 0;
        if (source.Length < 1)
            return false;
        var count = source[0];
        if (count is < 2 or > MaxServices || source.Length < 1 + (4 * count) + 2)
            return false;
        var services = new int[count];
        var at = 1;
        for (var i = 0; i < count; i++, at += 4)
            services[i] = BinaryPrimitives.ReadInt32BigEndian(source[at..]);
        var edgeCount = BinaryPrimitives.ReadUInt16BigEndian(source[at..]);
        at += 2;
        if (edgeCount > count * count || source.Length < at + (2 * edgeCount))
            return false;
        var edges = new (int, int)[edgeCount];
        for (var i = 0; i < edgeCount; i++, at += 2)
        {
            if (source[at] >= count || source[at + 1] >= count)
                return false;
            edges[i] = (services[source[at]], services[source[at + 1]]);
        }

        try
        {
            requirement = new ServiceRequirement(services, edges);
        }
        catch (ArgumentException)
        {
            return false;
        }

        length = at;
        return true;
    }

    // Kahn's algorithm, taking ready services in the order given so the result is stable; null on a cycle.
    private static int[]? TopologicalOrder(int count, List<(int From, int To)> edges)
    {
        var indegree = new int[count];
        foreach (var (_, to) in edges)
            indegree[to]++;
        var order = new List<int>(count);
        var placed = new bool[count];
        while (order.Count < count)
        {
            var next = -1;
            for (var i = 0; i < count && next < 0; i++)
            {
                if (!placed[i] && indegree[i] == 0)
                    next = i;
            }

            if (next < 0)
                return null;
            placed[next] = true;
            order.Add(next);
            foreach (var (from, to) in edges)
            {
                if (from == next)
                    indegree[to]--;
            }
        }

        return [.. order];
    }
}
