using NUnit.Framework;
using Overlay.Transport;
using Overlay.Transport.Tcp;

namespace Overlay.Core.Tests.Contracts;

/// <summary>The transport contract on TCP over loopback.</summary>
[TestFixture]
public sealed class TcpTransportContract : TransportContract
{
    // Both sockets' kernel buffers (64 KiB asked, which Linux doubles) and what loopback has in flight: well under 2 MiB.
    protected override long BufferedBound => 2 * 1024 * 1024;

    protected override ITransportFactory CreateFactory() => TcpTransportFactory.Instance;
}
