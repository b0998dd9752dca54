using Overlay.Wire;

namespace Overlay.Transport;

/// <summary>
/// The checks every stream transport makes around <see cref="HandshakeExchange"/>, so TCP and the in-memory transport
/// (and any later stream transport) refuse the same peers for the same reasons.
/// </summary>
internal static class StreamHandshake
{
    /// <summary>Runs the connecting side and checks the answer against what was dialled.</summary>
    /// <exception cref="WireFormatException">The answer was malformed, unproven, from another overlay, or not the role dialled.</exception>
    public static async Task<Handshake> ConnectAsync(
        IByteStream stream, FrameReader reader, NodeId local, NodeId remote, PeerRole role, uint overlayId, byte[]? secret, CancellationToken cancellationToken)
    {
        var handshake = await HandshakeExchange.ConnectAsync(stream, reader, new Handshake(local, overlayId), secret, cancellationToken);
        var isObserver = (handshake.Flags & HandshakeFlags.Observer) != 0;
        if (role == PeerRole.Observer)
        {
            if (!isObserver)
                throw new WireFormatException(WireError.BadHandshake, "The observer endpoint answered as a node.");
            if (handshake.OverlayId != overlayId)
                throw new WireFormatException(WireError.WrongOverlay);
            return handshake;
        }

        if (isObserver)
            throw new WireFormatException(WireError.BadHandshake, $"{remote} is an observer, not a node.");
        if (handshake.OverlayId != overlayId)
            throw new WireFormatException(WireError.WrongOverlay, $"Peer belongs to overlay {handshake.OverlayId}, this node to {overlayId}.");
        if (handshake.ListenEndpoint != remote)
            throw new WireFormatException(WireError.BadHandshake, $"Connected to {remote} but the peer says it is {handshake.ListenEndpoint}.");
        return handshake;
    }

    /// <summary>
    /// Runs a node's accepting side: the connector must be a node of this overlay. A time-out (the cancellation of
    /// <paramref name="timeout"/> while <paramref name="stopping"/> is not cancelled) is a <see cref="WireError.HandshakeTimeout"/>.
    /// </summary>
    /// <exception cref="WireFormatException">The connector's handshake or proof was wrong, or it took too long.</exception>
    public static async Task<Handshake> AcceptAsync(
        IByteStream stream, FrameReader reader, NodeId local, uint overlayId, byte[]? secret, CancellationToken timeout, CancellationToken stopping)
    {
        try
        {
            return await HandshakeExchange.AcceptAsync(stream, reader, new Handshake(local, overlayId), secret, h => ValidateNode(h, overlayId), timeout);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            throw new WireFormatException(WireError.HandshakeTimeout);
        }
    }

    private static void ValidateNode(Handshake handshake, uint overlayId)
    {
        if (handshake.OverlayId != overlayId)
            throw new WireFormatException(WireError.WrongOverlay, $"Peer belongs to overlay {handshake.OverlayId}, this node to {overlayId}.");
        if ((handshake.Flags & HandshakeFlags.Observer) != 0)
            throw new WireFormatException(WireError.BadHandshake, "Observers do not connect to nodes; nodes connect to their observer.");
    }
}
