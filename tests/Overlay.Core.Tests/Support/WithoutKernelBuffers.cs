using System.Net;
using Overlay.Transport;
using Overlay.Wire;

namespace Overlay.Core.Tests.Support;

/// <summary>
/// Wraps a transport so that its connections offer only <see cref="IConnection"/>: the optional
/// <see cref="IKernelBuffers"/> capability disappears, as on a transport that has no kernel beneath it.
/// </summary>
internal sealed class WithoutKernelBuffers(ITransportFactory inner) : ITransportFactory
{
    public ITransport Create(TransportSetup setup) => new Transport(inner.Create(setup));

    private sealed class Transport(ITransport inner) : ITransport
    {
        public NodeId LocalId => inner.LocalId;

        public TransportCapabilities Capabilities => inner.Capabilities;

        public long ConnectionsAccepted => inner.ConnectionsAccepted;

        public int ConnectionsInHandshake => inner.ConnectionsInHandshake;

        public long AcceptBackOffs => inner.AcceptBackOffs;

        public void Start(IConnectionHandler handler) => inner.Start(new Handler(handler));

        public async Task<IConnection> ConnectAsync(NodeId remote, PeerRole role, CancellationToken cancellationToken) =>
            new Connection(await inner.ConnectAsync(remote, role, cancellationToken));

        public Task StopAcceptingAsync() => inner.StopAcceptingAsync();

        public void CancelConnects() => inner.CancelConnects();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    private sealed class Handler(IConnectionHandler inner) : IConnectionHandler
    {
        public void OnAccepted(IConnection connection) => inner.OnAccepted(new Connection(connection));

        public void OnRejected(EndPoint? remote, WireError reason, Exception? exception) => inner.OnRejected(remote, reason, exception);
    }

    private sealed class Connection(IConnection inner) : IConnection
    {
        public NodeId Remote => inner.Remote;

        public TransportCapabilities Capabilities => inner.Capabilities;

        public long BytesReceived => inner.BytesReceived;

        public ValueTask SendAsync(ReadOnlyMemory<Message> batch, ISendProgress? progress = null) => inner.SendAsync(batch, progress);

        public Task ReceiveAsync(IFrameSink sink, CancellationToken cancellationToken) => inner.ReceiveAsync(sink, cancellationToken);

        public void Abort() => inner.Abort();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
