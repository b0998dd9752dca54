using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using Overlay.Transport;
using Overlay.Wire;

namespace Overlay.Core.Tests.Contracts;

/// <summary>Keeps what a transport under test reports: accepted connections (to be taken in order) and refusals.</summary>
internal sealed class ContractHandler : IConnectionHandler
{
    private readonly Channel<IConnection> _accepted = Channel.CreateUnbounded<IConnection>();

    public ConcurrentQueue<WireError> Rejected { get; } = new();

    public void OnAccepted(IConnection connection) => _accepted.Writer.TryWrite(connection);

    public void OnRejected(EndPoint? remote, WireError reason, Exception? exception) => Rejected.Enqueue(reason);

    public async Task<IConnection> NextAsync() => await _accepted.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
}
