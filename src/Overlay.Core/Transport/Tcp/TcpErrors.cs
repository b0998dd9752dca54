using System.Net.Sockets;

namespace Overlay.Transport.Tcp;

/// <summary>Turns socket errors into the transport-neutral <see cref="TransportException"/> the engine handles.</summary>
internal static class TcpErrors
{
    /// <summary>A failure of an open connection (or of one being opened, once connected).</summary>
    public static TransportException Translate(SocketException ex) => new(TransportFailure.ConnectionReset, ex.Message, ex);

    /// <summary>A failure to connect: nobody accepts at the address.</summary>
    public static TransportException Unreachable(SocketException ex) => new(TransportFailure.Unreachable, ex.Message, ex);
}
