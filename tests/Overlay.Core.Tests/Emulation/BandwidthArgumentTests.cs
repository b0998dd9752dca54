using System.Net;
using NUnit.Framework;
using Overlay.Emulation;

namespace Overlay.Core.Tests.Emulation;

/// <summary>A bandwidth that is not a positive finite number is refused, not read as "unlimited"; null still removes a limit.</summary>
public class BandwidthArgumentTests
{
    private static readonly double[] BadRates = [0, -1, -0.5, double.NaN, double.PositiveInfinity, double.NegativeInfinity];

    [Test, CancelAfter(30_000)]
    public async Task SetBandwidthAndSetLinkBandwidth_BadRate_ThrowAndKeepTheLimit()
    {
        await using var overlay = new TestOverlay();
        var node = await overlay.AddAsync(new RelayAlgorithm());
        var peer = NodeId.Parse("127.0.0.1:9");
        foreach (var scope in new[] { BandwidthScope.Total, BandwidthScope.Upload, BandwidthScope.Download })
        {
            node.SetBandwidth(scope, 123_000);
            foreach (var rate in BadRates)
            {
                var error = Assert.Throws<ArgumentOutOfRangeException>(() => node.SetBandwidth(scope, rate), $"{scope} {rate}");
                Assert.That(error!.ParamName, Is.EqualTo("bytesPerSecond"));
                Assert.Throws<ArgumentOutOfRangeException>(() => node.SetBandwidth(scope, 1000, burstBytes: rate), $"{scope} burst {rate}");
            }

            Assert.That(node.GetBandwidth(scope), Is.EqualTo(123_000), $"{scope} kept its limit");
            node.SetBandwidth(scope, null);
            Assert.That(node.GetBandwidth(scope), Is.Null, $"{scope}: null removes the limit");
        }

        foreach (var direction in new[] { LinkDirection.Upstream, LinkDirection.Downstream })
        {
            foreach (var rate in BadRates)
                Assert.Throws<ArgumentOutOfRangeException>(() => node.SetLinkBandwidth(peer, direction, rate), $"{direction} {rate}");
            Assert.That(node.GetLinkBandwidth(peer, direction), Is.Null, "a refused call sets nothing");
            node.SetLinkBandwidth(peer, direction, 10_000);
            Assert.Throws<ArgumentOutOfRangeException>(() => node.SetLinkBandwidth(peer, direction, 0));
            Assert.That(node.GetLinkBandwidth(peer, direction), Is.EqualTo(10_000));
            node.SetLinkBandwidth(peer, direction, null);
            Assert.That(node.GetLinkBandwidth(peer, direction), Is.Null);
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => node.SetLinkBandwidth(peer, (LinkDirection)7, 1000));
    }

    [Test]
    public void Options_BadValues_FailInTheConstructorWithTheSettingsName()
    {
        (Action<OverlayNodeOptions> Configure, string Name)[] cases =
        [
            (o => o.TotalBandwidth = 0, nameof(OverlayNodeOptions.TotalBandwidth)),
            (o => o.UploadBandwidth = double.NaN, nameof(OverlayNodeOptions.UploadBandwidth)),
            (o => o.DownloadBandwidth = double.PositiveInfinity, nameof(OverlayNodeOptions.DownloadBandwidth)),
            (o => o.DownloadBandwidth = -5, nameof(OverlayNodeOptions.DownloadBandwidth)),
            (o => o.BindAddress = IPAddress.IPv6Loopback, nameof(OverlayNodeOptions.BindAddress)),
            (o => o.ObserverEndPoint = new IPEndPoint(IPAddress.IPv6Loopback, 4000), nameof(OverlayNodeOptions.ObserverEndPoint)),
            (o => o.Port = 70_000, nameof(OverlayNodeOptions.Port)),
            (o => o.BufferCapacity = 0, nameof(OverlayNodeOptions.BufferCapacity)),
            (o => o.HandshakeTimeout = TimeSpan.Zero, nameof(OverlayNodeOptions.HandshakeTimeout)),
            (o => o.StopTimeout = TimeSpan.FromSeconds(-1), nameof(OverlayNodeOptions.StopTimeout)),
            (o => o.SocketBufferSize = 0, nameof(OverlayNodeOptions.SocketBufferSize)),
        ];
        foreach (var (configure, name) in cases)
        {
            var options = new OverlayNodeOptions();
            configure(options);
            var error = Assert.Catch<ArgumentException>(() => _ = new OverlayNode(options, new RelayAlgorithm()), name);
            Assert.That(error!.ParamName, Is.EqualTo(name));
        }

        var ipv6 = Assert.Throws<ArgumentException>(() => new OverlayNodeOptions { BindAddress = IPAddress.IPv6Any }.Validate());
        Assert.That(ipv6!.Message, Does.Contain("IPv4").And.Contain("::"));
    }
}
