namespace Overlay.Observer.Web.Api;

/// <summary>A link's throughput at one moment, a point of the chart.</summary>
/// <param name="Time">When it was sampled.</param>
/// <param name="BytesPerSecond">The throughput its sender reported then.</param>
internal sealed record LinkSample(DateTimeOffset Time, double BytesPerSecond);
