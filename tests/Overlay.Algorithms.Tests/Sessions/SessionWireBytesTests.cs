using NUnit.Framework;

namespace Overlay.Algorithms.Tests.Sessions;

/// <summary>
/// Golden byte vectors for the session protocol's payloads, written out by hand from the documented layouts
/// (big-endian; a node id is IPv4 then port), so a change of layout fails here even when writer and reader change together.
/// </summary>
public class SessionWireBytesTests
{
    private static readonly NodeId First = new(0x0A000001, 5001); // 10.0.0.1:5001 → 0A 00 00 01 13 89
    private static readonly NodeId Second = new(0xC0A80102, 80); // 192.168.1.2:80 → C0 A8 01 02 00 50

    [Test]
    public void Query_IsTheHopCount_Int32BigEndian()
    {
        var payload = new byte[SessionWire.QueryLength];
        SessionWire.WriteQuery(payload, 0x01020304);
        Assert.That(Convert.ToHexString(payload), Is.EqualTo("01020304"));
        Assert.That(SessionWire.TryReadQuery(Convert.FromHexString("00000007"), out var hops) && hops == 7, Is.True);
    }

    [Test]
    public void Path_IsACountThenNodeIds()
    {
        const string Golden = "0002" + "0A000001" + "1389" + "C0A80102" + "0050";
        var payload = new byte[SessionWire.PathLength(2)];
        SessionWire.WritePath(payload, [First, Second]);
        Assert.That(Convert.ToHexString(payload), Is.EqualTo(Golden));
        Assert.That(SessionWire.TryReadPath(Convert.FromHexString(Golden), out var path), Is.True);
        Assert.That(path, Is.EqualTo(new[] { First, Second }));
    }

    [Test]
    public void Stress_IsDegreeThenBandwidthAsDoubleThenPath()
    {
        // degree 3 | 100,000.0 as an IEEE double | a one-node path
        const string Golden = "00000003" + "40F86A0000000000" + "0001" + "0A000001" + "1389";
        var payload = new byte[SessionWire.StressLength(1)];
        SessionWire.WriteStress(payload, 3, 100_000, [First]);
        Assert.That(Convert.ToHexString(payload), Is.EqualTo(Golden));
        Assert.That(SessionWire.TryReadStress(Convert.FromHexString(Golden), out var report, out var path), Is.True);
        Assert.That(report, Is.EqualTo(new StressReport(3, 100_000)));
        Assert.That(path, Is.EqualTo(new[] { First }));
    }
}
