using System.Net.Sockets;

namespace Overlay.Transport;

/// <summary>Reads a socket as an <see cref="IFrameSource"/>; allocation-free (the socket caches its awaitable).</summary>
internal sealed class SocketFrameSource(Socket socket) : IFrameSource
{
    public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);

    // poll(2) with no timeout: readable means bytes are waiting or the stream ended (then the read returns 0).
    public bool IsReadable() => socket.Poll(0, SelectMode.SelectRead);
}
