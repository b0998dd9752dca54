using Overlay.Observer.Web.Api;

namespace Overlay.Observer.Web;

/// <summary>Each link's recent throughput samples (a bounded ring per link), for the chart.</summary>
internal sealed class LinkHistory(int capacity)
{
    private readonly Dictionary<string, Queue<LinkSample>> _links = [];
    private readonly Lock _gate = new();

    public void Add(string link, DateTimeOffset time, double bytesPerSecond)
    {
        lock (_gate)
        {
            if (!_links.TryGetValue(link, out var samples))
                _links[link] = samples = new Queue<LinkSample>(capacity);
            samples.Enqueue(new LinkSample(time, bytesPerSecond));
            if (samples.Count > capacity)
                samples.Dequeue();
        }
    }

    /// <summary>The link's samples, oldest first, or null if it was never sampled.</summary>
    public List<LinkSample>? Read(string link)
    {
        lock (_gate)
            return _links.TryGetValue(link, out var samples) ? [.. samples] : null;
    }
}
