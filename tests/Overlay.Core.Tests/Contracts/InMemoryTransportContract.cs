using NUnit.Framework;
using Overlay.Transport;
using Overlay.Transport.InMemory;

namespace Overlay.Core.Tests.Contracts;

/// <summary>The transport contract on the in-memory transport.</summary>
[TestFixture]
public sealed class InMemoryTransportContract : TransportContract
{
    private const int PipeCapacity = 64 * 1024;

    // Exactly one pipe's worth: nothing else holds bytes between the sender and a reader that does not read.
    protected override long BufferedBound => PipeCapacity;

    protected override ITransportFactory CreateFactory() => new InMemoryNetwork(PipeCapacity);
}
