using System.Runtime.CompilerServices;

namespace Overlay.Transport.InMemory;

/// <summary>
/// A framed in-memory link: an <see cref="InMemoryStream"/> read by the same <see cref="FrameReader"/> as TCP, so bad
/// input is handled by the same code. It has no kernel beneath it, so it offers no <see cref="IKernelBuffers"/>.
/// </summary>
internal sealed class InMemoryConnection : IConnection
{
    private readonly InMemoryStream _stream;
    private readonly FrameReader _reader;
    private int _sending;
    private int _receiving;
    private int _disposed;

    public InMemoryConnection(InMemoryStream stream, NodeId remote, FrameReader reader)
    {
        _stream = stream;
        _reader = reader;
        Remote = remote;

        // When the node's budget for partly received messages closes this link, the pending read must return now.
        reader.SetAbort(Abort);
    }

    public NodeId Remote { get; }

    public TransportCapabilities Capabilities => TransportCapabilities.Stream;

    public long BytesReceived => _reader.BytesReceived;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SendAsync(ReadOnlyMemory<Message> batch, ISendProgress? progress = null)
    {
        if (Interlocked.Exchange(ref _sending, 1) != 0)
            throw new InvalidOperationException("A connection writes one batch at a time.");
        try
        {
            for (var i = 0; i < batch.Length; i++)
            {
                var message = batch.Span[i];
                await _stream.SendAsync(message.Buffer.AsMemory(0, message.FrameLength), progress);
            }
        }
        finally
        {
            Volatile.Write(ref _sending, 0);
        }
    }

    public async Task ReceiveAsync(IFrameSink sink, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _receiving, 1) != 0)
            throw new InvalidOperationException("A connection has one receive loop.");
        try
        {
            await _reader.RunAsync(_stream, sink, cancellationToken);
        }
        finally
        {
            // The staging buffer goes back only when no read can touch it any more.
            _reader.Dispose();
        }
    }

    public void Abort() => _stream.Abort();

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _stream.Close();
            if (Interlocked.Exchange(ref _receiving, 1) == 0)
                _reader.Dispose();
        }

        return ValueTask.CompletedTask;
    }
}
