using System.Buffers;
using System.Runtime.CompilerServices;
using Overlay.Buffers;
using Overlay.Wire;

namespace Overlay.Transport;

/// <summary>
/// Turns a byte stream into validated, pooled messages.
/// </summary>
/// <remarks>
/// Reads go into a 64 KiB staging buffer so that many small frames cost one system call; each frame is then
/// copied once into a message of exactly its size. A payload too large to be worth staging is read straight into
/// its message buffer. A header is validated before anything is rented for it, so a hostile length can never
/// make the reader allocate more than the configured maximum.
/// </remarks>
internal sealed class FrameReader : IDisposable
{
    internal const int StagingSize = 64 * 1024;

    // Payload remainders at least this large skip the staging buffer and land directly in the message.
    private const int DirectReadThreshold = 16 * 1024;

    private readonly MessagePool _pool;
    private readonly int _maxPayloadLength;
    private byte[] _staging;
    private int _start;
    private int _end;

    public FrameReader(MessagePool pool, int maxPayloadLength)
    {
        _pool = pool;
        _maxPayloadLength = maxPayloadLength;
        _staging = ArrayPool<byte>.Shared.Rent(StagingSize);
    }

    /// <summary>Bytes taken from the source so far.</summary>
    public long BytesReceived { get; private set; }

    /// <summary>Reads and validates the connection's handshake.</summary>
    /// <exception cref="WireFormatException">The handshake is malformed or the stream ended first.</exception>
    public async ValueTask<Handshake> ReadHandshakeAsync(IFrameSource source, CancellationToken cancellationToken)
    {
        while (_end - _start < Handshake.Size)
        {
            if (!await FillAsync(source, cancellationToken))
                throw new WireFormatException(WireError.Truncated);
        }

        var error = Handshake.TryRead(_staging.AsSpan(_start, _end - _start), out var handshake);
        if (error != WireError.None)
            throw new WireFormatException(error);
        _start += Handshake.Size;
        return handshake;
    }

    /// <summary>Reads exactly <paramref name="destination"/>.Length raw bytes (authentication nonces and proofs).</summary>
    /// <exception cref="WireFormatException">The stream ended first.</exception>
    public async ValueTask ReadExactAsync(IFrameSource source, Memory<byte> destination, CancellationToken cancellationToken)
    {
        while (_end - _start < destination.Length)
        {
            if (!await FillAsync(source, cancellationToken))
                throw new WireFormatException(WireError.Truncated);
        }

        _staging.AsSpan(_start, destination.Length).CopyTo(destination.Span);
        _start += destination.Length;
    }

    /// <summary>
    /// Decodes frames into <paramref name="sink"/> until the peer closes the stream at a frame boundary.
    /// </summary>
    /// <exception cref="WireFormatException">A frame is malformed or the stream ended inside one.</exception>
    /// <remarks>
    /// Every wait for the socket is awaited in this method itself rather than in helpers: this long-lived state
    /// machine is boxed once, while each suspension of a pooled helper takes a box from a small per-core cache,
    /// which the many links of a process overflow — then every wait allocated.
    /// </remarks>
    public async Task RunAsync(IFrameSource source, IFrameSink sink, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_end - _start < MessageHeader.Size)
            {
                sink.OnReceiving();
                if (!CompleteFill(await source.ReceiveAsync(PrepareFill(), cancellationToken)))
                {
                    if (_end == _start)
                        return;
                    throw new WireFormatException(WireError.Truncated);
                }

                continue;
            }

            var error = MessageHeader.TryRead(_staging.AsSpan(_start, MessageHeader.Size), _maxPayloadLength, out var header);
            if (error != WireError.None)
                throw new WireFormatException(error);
            _start += MessageHeader.Size;

            var message = _pool.Rent(header.PayloadLength);
            try
            {
                message.Type = header.Type;
                message.Sender = header.Sender;
                message.ApplicationId = header.ApplicationId;
                message.SequenceNumber = header.SequenceNumber;
                var length = message.PayloadLength;
                var filled = CopyStaged(message.Buffer.AsSpan(MessageHeader.Size, length));
                if (filled < length)
                    sink.OnReceiving();
                while (filled < length)
                {
                    var remaining = length - filled;
                    if (remaining >= DirectReadThreshold)
                    {
                        // Large enough to skip the staging buffer: straight into the message.
                        var read = await source.ReceiveAsync(message.Buffer.AsMemory(MessageHeader.Size + filled, remaining), cancellationToken);
                        if (read == 0)
                            throw new WireFormatException(WireError.Truncated);
                        BytesReceived += read;
                        filled += read;
                    }
                    else
                    {
                        if (!CompleteFill(await source.ReceiveAsync(PrepareFill(), cancellationToken)))
                            throw new WireFormatException(WireError.Truncated);
                        filled += CopyStaged(message.Buffer.AsSpan(MessageHeader.Size + filled, remaining));
                    }
                }
            }
            catch
            {
                message.Release();
                throw;
            }

            await sink.OnMessageAsync(message);
        }
    }

    public void Dispose()
    {
        var staging = _staging;
        _staging = [];
        if (staging.Length > 0)
            ArrayPool<byte>.Shared.Return(staging);
    }

    private int CopyStaged(Span<byte> destination)
    {
        var count = Math.Min(destination.Length, _end - _start);
        _staging.AsSpan(_start, count).CopyTo(destination);
        _start += count;
        return count;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> FillAsync(IFrameSource source, CancellationToken cancellationToken) =>
        CompleteFill(await source.ReceiveAsync(PrepareFill(), cancellationToken));

    /// <summary>Makes room at the end of the staging buffer and returns it for the next read.</summary>
    private Memory<byte> PrepareFill()
    {
        if (_start == _end)
        {
            _start = 0;
            _end = 0;
        }
        else if (_end == _staging.Length)
        {
            // Keep the partial header/handshake, make room behind it.
            var pending = _end - _start;
            _staging.AsSpan(_start, pending).CopyTo(_staging);
            _start = 0;
            _end = pending;
        }

        return _staging.AsMemory(_end);
    }

    /// <summary>Accounts for a read into the staging buffer; false when the stream ended.</summary>
    private bool CompleteFill(int read)
    {
        if (read == 0)
            return false;
        BytesReceived += read;
        _end += read;
        return true;
    }
}
