using NUnit.Framework;
using Overlay.Algorithms.Services;

namespace Overlay.Algorithms.Tests.Services;

/// <summary>
/// Golden byte vectors for the service federation protocol's payloads, written out by hand from the documented
/// layouts (big-endian; a node id is IPv4 then port), so a change of layout fails here even when writer and reader
/// change together.
/// </summary>
public class ServiceWireBytesTests
{
    private static readonly NodeId Node = new(0x0A000001, 5001); // 0A 00 00 01 13 89
    private static readonly NodeId Other = new(0xC0A80102, 80); // C0 A8 01 02 00 50

    [Test]
    public void Aware_IsServiceThenHops()
    {
        var payload = new byte[ServiceWire.AwareLength];
        ServiceWire.WriteAware(payload, 0x01020304, 3);
        Assert.That(Convert.ToHexString(payload), Is.EqualTo("01020304" + "03"));
        Assert.That(ServiceWire.TryReadAware(Convert.FromHexString("0000000503"), out var service, out var hops), Is.True);
        Assert.That((service, hops), Is.EqualTo((5, 3)));
    }

    [Test]
    public void AwareForward_IsOriginThenService()
    {
        const string Golden = "0A000001" + "1389" + "00000005";
        var payload = new byte[ServiceWire.AwareForwardLength];
        ServiceWire.WriteAwareForward(payload, Node, 5);
        Assert.That(Convert.ToHexString(payload), Is.EqualTo(Golden));
        Assert.That(ServiceWire.TryReadAwareForward(Convert.FromHexString(Golden), out var origin, out var service), Is.True);
        Assert.That((origin, service), Is.EqualTo((Node, 5)));
    }

    [Test]
    public void Reach_IsACountThenServiceAndRateAsFloat()
    {
        // 2 entries | service 7, 1,000.0 f | service 9, 62,500.0 f
        const string Golden = "02" + "00000007" + "447A0000" + "00000009" + "47742400";
        var payload = new byte[ServiceWire.ReachLength(2)];
        ServiceWire.WriteReach(payload, [(7, 1_000), (9, 62_500)]);
        Assert.That(Convert.ToHexString(payload), Is.EqualTo(Golden));
        Assert.That(ServiceWire.TryReadReach(Convert.FromHexString(Golden), out var reach), Is.True);
        Assert.That(reach, Is.EqualTo(new (int, double)[] { (7, 1_000), (9, 62_500) }));
    }

    [Test]
    public void Federation_IsStrategyPositionRequirementThenAssignment()
    {
        // Fixed (2) | position 1 | 3 services: 1, 2, 3 | 2 edges as position pairs: 0→1, 1→2 | nodes: Node, none, Other
        const string Golden = "02" + "01"
            + "03" + "00000001" + "00000002" + "00000003" + "0002" + "0001" + "0102"
            + "0A0000011389" + "000000000000" + "C0A801020050";
        var requirement = new ServiceRequirement([1, 2, 3], [(1, 2), (2, 3)]);
        var payload = new byte[ServiceWire.FederationLength(requirement)];
        ServiceWire.WriteFederation(payload, FederationStrategy.Fixed, 1, requirement, [Node, NodeId.None, Other]);
        Assert.That(Convert.ToHexString(payload), Is.EqualTo(Golden));
        Assert.That(ServiceWire.TryReadFederation(Convert.FromHexString(Golden), out var strategy, out var position, out var decoded, out var assignment), Is.True);
        Assert.That((strategy, position), Is.EqualTo((FederationStrategy.Fixed, 1)));
        Assert.That(decoded!.Services, Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(assignment, Is.EqualTo(new[] { Node, NodeId.None, Other }));
    }

    [Test]
    public void Report_IsCountsDelayRatesAndServicesApplied()
    {
        // messages 0x0102 | bytes 0x030405 | delay 10,000 ticks | last hop 150,000.0 | average 25,000.0 | 4 services
        const string Golden = "0000000000000102" + "0000000000030405" + "0000000000002710"
            + "41024F8000000000" + "40D86A0000000000" + "00000004";
        var requirement = new ServiceRequirement([1, 2], [(1, 2)]);
        var blank = new FederationReport(40, FederationStrategy.SFlow, requirement, FederationState.Deployed, []);
        var report = blank with
        {
            MessagesDelivered = 0x0102,
            BytesDelivered = 0x030405,
            EndToEndDelay = TimeSpan.FromTicks(10_000),
            LastHopThroughput = 150_000,
            AverageThroughput = 25_000,
            ServicesApplied = 4,
        };
        var payload = new byte[ServiceWire.ReportLength];
        ServiceWire.WriteReport(payload, report);
        Assert.That(Convert.ToHexString(payload), Is.EqualTo(Golden));
        Assert.That(ServiceWire.TryReadReport(Convert.FromHexString(Golden), blank, out var decoded), Is.True);
        Assert.That(decoded, Is.EqualTo(report));
    }
}
