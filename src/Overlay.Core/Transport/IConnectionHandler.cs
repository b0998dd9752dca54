using System.Net;
using Overlay.Wire;

namespace Overlay.Transport;

/// <summary>What a transport tells its node about connections peers opened.</summary>
internal interface IConnectionHandler
{
    /// <summary>A peer connected and completed its handshake; the handler now owns the connection.</summary>
    void OnAccepted(IConnection connection);

    /// <summary>A connection was refused before it became a link (bad handshake, time-out, wrong overlay).</summary>
    void OnRejected(EndPoint? remote, WireError reason, Exception? exception);
}
