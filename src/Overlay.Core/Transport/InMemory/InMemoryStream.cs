namespace Overlay.Transport.InMemory;

/// <summary>
/// One end of an in-memory connection: reads one <see cref="BytePipe"/>, writes the other. What the handshake and
/// the <see cref="FrameReader"/> see, exactly as they see a socket on TCP.
/// </summary>
internal sealed class InMemoryStream : IByteStream
{
    private readonly BytePipe _in;
    private readonly BytePipe _out;

    private InMemoryStream(BytePipe input, BytePipe output)
    {
        _in = input;
        _out = output;
    }

    /// <summary>Bytes the peer wrote that wait unread at this end.</summary>
    public int BytesWaiting => _in.Count;

    /// <summary>Two connected ends, each direction bounded by <paramref name="capacity"/> bytes.</summary>
    public static (InMemoryStream Connector, InMemoryStream Acceptor) CreatePair(int capacity)
    {
        var toAcceptor = new BytePipe(capacity);
        var toConnector = new BytePipe(capacity);
        return (new InMemoryStream(toConnector, toAcceptor), new InMemoryStream(toAcceptor, toConnector));
    }

    public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken) => _in.ReadAsync(buffer, cancellationToken);

    public bool IsReadable() => _in.IsReadable;

    public ValueTask SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) => _out.WriteAsync(bytes, null, cancellationToken);

    /// <summary>Writes <paramref name="bytes"/>, telling <paramref name="progress"/> of each part the pipe took.</summary>
    public ValueTask SendAsync(ReadOnlyMemory<byte> bytes, ISendProgress? progress) => _out.WriteAsync(bytes, progress, CancellationToken.None);

    /// <summary>An orderly close, as a socket's: the peer reads what was sent and then the end; its later writes fail.</summary>
    public void Close()
    {
        _out.CompleteWriting();
        _in.CloseReading();
    }

    /// <summary>A reset: both directions fail at once, on both ends.</summary>
    public void Abort()
    {
        _out.Abort();
        _in.Abort();
    }
}
