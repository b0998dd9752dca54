using System.Net;
using Overlay.Wire;

namespace Overlay.Transport;

/// <summary>What a transport tells its node about connections peers opened.</summary>
public interface IConnectionHandler
{
    /// <summary>A peer connected and completed its handshake; the handler now owns the connection.</summary>
    /// <param name="connection">The handshaken connection.</param>
    void OnAccepted(IConnection connection);

    /// <summary>A connection was refused before it became a link (bad handshake, time-out, wrong overlay).</summary>
    /// <param name="remote">Where it came from, when known.</param>
    /// <param name="reason">Why it was refused.</param>
    /// <param name="exception">The failure, when there was one.</param>
    void OnRejected(EndPoint? remote, WireError reason, Exception? exception);
}
