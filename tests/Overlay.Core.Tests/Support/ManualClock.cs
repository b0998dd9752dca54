namespace Overlay.Core.Tests.Support;

/// <summary>A clock that moves only when told to: timestamps in nanoseconds.</summary>
internal sealed class ManualClock : TimeProvider
{
    public long Now { get; set; } = 1_000_000_000;

    public override long TimestampFrequency => 1_000_000_000;

    public override long GetTimestamp() => Now;

    public void Advance(TimeSpan by) => Now += (long)(by.TotalSeconds * TimestampFrequency);
}
