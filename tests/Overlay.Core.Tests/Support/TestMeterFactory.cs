using System.Diagnostics.Metrics;

namespace Overlay.Core.Tests.Support;

/// <summary>
/// A meter factory of a test's own, as a host's dependency injection would give one: one meter per name, so the
/// nodes of one test share instruments and no other test's nodes report into them.
/// </summary>
internal sealed class TestMeterFactory : IMeterFactory
{
    private readonly Dictionary<string, Meter> _meters = [];

    /// <summary>The meter this factory made for <paramref name="name"/> (making it now if it has not).</summary>
    public Meter this[string name] => Create(new MeterOptions(name));

    public Meter Create(MeterOptions options)
    {
        lock (_meters)
        {
            if (!_meters.TryGetValue(options.Name, out var meter))
                _meters.Add(options.Name, meter = new Meter(options.Name, options.Version, options.Tags, scope: this));
            return meter;
        }
    }

    public void Dispose()
    {
        lock (_meters)
        {
            foreach (var meter in _meters.Values)
                meter.Dispose();
            _meters.Clear();
        }
    }
}
