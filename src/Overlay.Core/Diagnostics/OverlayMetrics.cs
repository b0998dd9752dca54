using System.Diagnostics.Metrics;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Overlay.Diagnostics;

/// <summary>
/// The <c>Overlay</c> meter and its instruments, shared by every node that reports to that meter. Most instruments
/// are observable: their callbacks read the counters the engine keeps anyway (per link, per node), so counting a
/// message costs nothing beyond what <see cref="OverlayNode.GetStatistics"/> already needs, with or without a
/// listener. Only events that are rare by nature (a round-trip measurement, a failed link) are recorded as they happen.
/// </summary>
internal sealed class OverlayMetrics
{
    private static readonly Lazy<OverlayMetrics> Default = new(() => new OverlayMetrics(new Meter(Options())));

    // A factory hands out one meter per name and version (DefaultMeterFactory caches them), so nodes given the same
    // factory share one set of instruments and one registry.
    private static readonly ConditionalWeakTable<Meter, OverlayMetrics> ByMeter = [];

    private readonly List<NodeMetrics> _nodes = [];
    private readonly Histogram<double> _roundTrip;
    private readonly Counter<long> _linkFailures;

    private OverlayMetrics(Meter meter)
    {
        Meter = meter;
        meter.CreateObservableCounter(OverlayMeter.BytesSent, () => Observe(static (n, into) => n.ObserveBytesSent(into)), "By", "Bytes written to peers (whole frames)");
        meter.CreateObservableCounter(OverlayMeter.BytesReceived, () => Observe(static (n, into) => n.ObserveBytesReceived(into)), "By", "Bytes received from peers (whole frames)");
        meter.CreateObservableCounter(OverlayMeter.MessagesSent, () => Observe(static (n, into) => n.ObserveMessagesSent(into)), "{message}", "Messages written to peers");
        meter.CreateObservableCounter(OverlayMeter.MessagesReceived, () => Observe(static (n, into) => n.ObserveMessagesReceived(into)), "{message}", "Messages received from peers");
        meter.CreateObservableCounter(OverlayMeter.MessagesProcessed, () => Observe(static (n, into) => n.ObserveProcessed(into)), "{message}", "Messages the algorithm processed");
        meter.CreateObservableCounter(OverlayMeter.MessagesLost, () => Observe(static (n, into) => n.ObserveMessagesLost(into)), "{message}", "Messages lost, by cause");
        meter.CreateObservableCounter(OverlayMeter.BytesLost, () => Observe(static (n, into) => n.ObserveBytesLost(into)), "By", "Bytes of the messages lost, by cause");
        meter.CreateObservableGauge(OverlayMeter.LinkBuffered, () => Observe(static (n, into) => n.ObserveBuffered(into)), "{message}", "Messages waiting in a link's buffer");
        meter.CreateObservableCounter(OverlayMeter.ConnectionsRefused, () => Observe(static (n, into) => n.ObserveRefused(into)), "{connection}", "Incoming connections refused, by reason");
        _roundTrip = meter.CreateHistogram(
            OverlayMeter.RoundTripTime,
            "s",
            "Round-trip times measured on downstream links",
            tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = RoundTripBuckets });
        _linkFailures = meter.CreateCounter<long>(OverlayMeter.LinkFailures, "{link}", "Links that failed, by direction and reason");
    }

    /// <summary>The meter the instruments belong to.</summary>
    public Meter Meter { get; }

    public Histogram<double> RoundTrip => _roundTrip;

    public Counter<long> LinkFailures => _linkFailures;

    // Round trips from a LAN's fraction of a millisecond to a congested path's seconds; the SDK default buckets are
    // meant for milliseconds and would put every round trip in the first one.
    private static readonly double[] RoundTripBuckets =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>The instruments on <paramref name="factory"/>'s <c>Overlay</c> meter, or on the process's own when it is null.</summary>
    public static OverlayMetrics For(IMeterFactory? factory)
    {
        if (factory is null)
            return Default.Value;
        var meter = factory.Create(Options());
        return ByMeter.GetValue(meter, static m => new OverlayMetrics(m));
    }

    /// <summary>Starts reporting <paramref name="node"/>.</summary>
    public void Add(NodeMetrics node)
    {
        lock (_nodes)
            _nodes.Add(node);
    }

    /// <summary>Stops reporting <paramref name="node"/>: its series end.</summary>
    public void Remove(NodeMetrics node)
    {
        lock (_nodes)
            _nodes.Remove(node);
    }

    private static MeterOptions Options() => new(OverlayMeter.Name) { Version = PackageVersion() };

    private static string? PackageVersion()
    {
        var version = typeof(OverlayMetrics).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        // "0.1.0+<commit>": the build metadata is not part of the package version.
        var plus = version?.IndexOf('+', StringComparison.Ordinal) ?? -1;
        return plus < 0 ? version : version![..plus];
    }

    // Runs on the collecting thread (an exporter's timer, a MeterListener): allocates per collection, never per message.
    private List<Measurement<long>> Observe(Action<NodeMetrics, List<Measurement<long>>> observe)
    {
        var into = new List<Measurement<long>>();
        NodeMetrics[] nodes;
        lock (_nodes)
            nodes = [.. _nodes];
        foreach (var node in nodes)
            observe(node, into);
        return into;
    }
}
