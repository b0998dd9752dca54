using System.Collections.Concurrent;

namespace Overlay.Algorithms;

/// <summary>
/// An <see cref="Algorithm"/> with iOverlay's gossip utility: <see cref="Disseminate"/> passes a message to each of a
/// set of hosts with a probability, and <see cref="AddKnownHosts"/> seeds <see cref="Algorithm.KnownHosts"/> when
/// there is no observer to bootstrap from.
/// </summary>
public abstract class GossipAlgorithm : Algorithm
{
    // Filled from any thread, moved into KnownHosts on the node's loop: KnownHosts itself is loop-only.
    private readonly ConcurrentQueue<NodeId> _pendingHosts = new();

    /// <summary>Creates the algorithm.</summary>
    /// <param name="seed">Seed of the gossip coin flips, so an experiment repeats; null for a random seed.</param>
    protected GossipAlgorithm(int? seed = null)
    {
        Random = seed is { } value ? new Random(value) : new Random();
    }

    /// <summary>The random numbers of this algorithm (seeded by the constructor). Only use it on the node's loop.</summary>
    protected Random Random { get; }

    /// <summary>
    /// Adds hosts this node may gossip to, as an observer's bootstrap set would. Thread-safe: the hosts join
    /// <see cref="Algorithm.KnownHosts"/> on the node's loop, before the next dissemination.
    /// </summary>
    public void AddKnownHosts(IEnumerable<NodeId> hosts)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        foreach (var host in hosts)
            _pendingHosts.Enqueue(host);
    }

    /// <summary>
    /// Sends <paramref name="message"/> to each host in <paramref name="hosts"/> (never to this node) with probability
    /// <paramref name="probability"/>: iOverlay's <c>disseminate</c>. Zero-copy, like <see cref="Algorithm.Send"/>.
    /// </summary>
    /// <returns>How many hosts the message went to; a caller in <see cref="Algorithm.Process"/> answers
    /// <see cref="Disposition.Forwarded"/> when it is not zero.</returns>
    protected int Disseminate(Message message, IEnumerable<NodeId> hosts, double probability)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(hosts);
        if (double.IsNaN(probability) || probability < 0 || probability > 1)
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "A probability is between 0 and 1.");
        AbsorbKnownHosts();

        // Copied first: opening a link to a host adds to KnownHosts, which is often the very collection passed in.
        var targets = hosts.ToArray();
        var sent = 0;
        foreach (var host in targets)
        {
            if (host == Self || host.IsNone)
                continue;
            if (probability < 1 && Random.NextDouble() >= probability)
                continue;
            Send(message, host);
            sent++;
        }

        return sent;
    }

    /// <summary>Moves hosts given to <see cref="AddKnownHosts"/> into <see cref="Algorithm.KnownHosts"/>. Call on the node's loop.</summary>
    protected void AbsorbKnownHosts()
    {
        while (_pendingHosts.TryDequeue(out var host))
        {
            if (host != Self && !host.IsNone)
                KnownHosts.Add(host);
        }
    }
}
