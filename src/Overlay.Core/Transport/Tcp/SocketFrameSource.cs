using System.Net.Sockets;

namespace Overlay.Transport.Tcp;

/// <summary>
/// A connected socket as an <see cref="IByteStream"/>: reads for a <see cref="FrameReader"/>, allocation-free (the
/// socket caches its awaitable), and the plain writes of the handshake.
/// </summary>
internal sealed class SocketFrameSource(Socket socket) : IByteStream
{
    public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);

    // poll(2) with no timeout: readable means bytes are waiting or the stream ended (then the read returns 0).
    public bool IsReadable() => socket.Poll(0, SelectMode.SelectRead);

    public async ValueTask SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        try
        {
            var sent = 0;
            while (sent < bytes.Length)
                sent += await socket.SendAsync(bytes[sent..], SocketFlags.None, cancellationToken);
        }
        catch (SocketException ex)
        {
            throw TcpErrors.Translate(ex);
        }
    }
}
