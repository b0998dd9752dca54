using System.Security.Cryptography;
using System.Text;
using Overlay.Wire;

namespace Overlay.Transport;

/// <summary>
/// The opening of every connection over a byte stream (any stream transport), node↔node and node↔observer: both sides exchange handshakes and, when the
/// overlay has a shared secret, prove knowledge of it with HMAC-SHA256 over fresh nonces from both sides.
/// </summary>
/// <remarks>
/// <code>
/// connector → acceptor : handshake, nonceC
/// acceptor → connector : handshake, nonceA, HMAC(k, "acceptor"  | nonceC | nonceA | acceptor endpoint)
/// connector → acceptor : HMAC(k, "connector" | nonceA | nonceC | connector endpoint)
/// </code>
/// The secret never crosses the wire; a recorded exchange cannot be replayed because the other side's nonce is
/// new every time; each proof names its role and endpoint, so one side's proof cannot be reflected back as the other's.
/// </remarks>
internal static class HandshakeExchange
{
    public const int NonceSize = 16;

    public const int ProofSize = 32;

    /// <summary>Runs the connecting side; returns the acceptor's handshake.</summary>
    /// <exception cref="WireFormatException">The peer's handshake or proof was wrong.</exception>
    public static async Task<Handshake> ConnectAsync(IByteStream stream, FrameReader reader, Handshake local, byte[]? secret, CancellationToken cancellationToken)
    {
        var nonce = secret is null ? [] : RandomNumberGenerator.GetBytes(NonceSize);
        local = local with { Flags = Flag(local.Flags, secret) };
        await SendAsync(stream, [.. Encode(local), .. nonce], cancellationToken);

        var remote = await reader.ReadHandshakeAsync(stream, cancellationToken);
        CheckAuthenticationMatches(remote, secret);
        if (secret is not null)
        {
            var remoteNonce = new byte[NonceSize];
            var remoteProof = new byte[ProofSize];
            await reader.ReadExactAsync(stream, remoteNonce, cancellationToken);
            await reader.ReadExactAsync(stream, remoteProof, cancellationToken);
            if (!CryptographicOperations.FixedTimeEquals(remoteProof, Proof(secret, "acceptor", nonce, remoteNonce, remote.ListenEndpoint)))
                throw new WireFormatException(WireError.AuthenticationFailed, "The peer does not know the overlay's secret.");
            await SendAsync(stream, Proof(secret, "connector", remoteNonce, nonce, local.ListenEndpoint), cancellationToken);
        }

        return remote;
    }

    /// <summary>
    /// Runs the accepting side; returns the connector's handshake once it is proven. <c>validate</c> checks the
    /// connector's handshake (overlay id, role) before anything is answered.
    /// </summary>
    /// <exception cref="WireFormatException">The connector's handshake or proof was wrong.</exception>
    public static async Task<Handshake> AcceptAsync(
        IByteStream stream, FrameReader reader, Handshake local, byte[]? secret, Action<Handshake> validate, CancellationToken cancellationToken)
    {
        var remote = await reader.ReadHandshakeAsync(stream, cancellationToken);
        validate(remote);
        CheckAuthenticationMatches(remote, secret);
        local = local with { Flags = Flag(local.Flags, secret) };
        if (secret is null)
        {
            await SendAsync(stream, Encode(local), cancellationToken);
            return remote;
        }

        var remoteNonce = new byte[NonceSize];
        await reader.ReadExactAsync(stream, remoteNonce, cancellationToken);
        var nonce = RandomNumberGenerator.GetBytes(NonceSize);
        await SendAsync(stream, [.. Encode(local), .. nonce, .. Proof(secret, "acceptor", remoteNonce, nonce, local.ListenEndpoint)], cancellationToken);
        var remoteProof = new byte[ProofSize];
        try
        {
            await reader.ReadExactAsync(stream, remoteProof, cancellationToken);
        }
        catch (WireFormatException ex) when (ex.Error == WireError.Truncated)
        {
            // A connector that cannot verify our proof (another secret) hangs up here.
            throw new WireFormatException(WireError.AuthenticationFailed, "The peer left during authentication (does it have another secret?).");
        }

        if (!CryptographicOperations.FixedTimeEquals(remoteProof, Proof(secret, "connector", nonce, remoteNonce, remote.ListenEndpoint)))
            throw new WireFormatException(WireError.AuthenticationFailed, "The peer does not know the overlay's secret.");
        return remote;
    }

    private static HandshakeFlags Flag(HandshakeFlags flags, byte[]? secret) =>
        secret is null ? flags & ~HandshakeFlags.Authenticated : flags | HandshakeFlags.Authenticated;

    private static void CheckAuthenticationMatches(Handshake remote, byte[]? secret)
    {
        var offered = (remote.Flags & HandshakeFlags.Authenticated) != 0;
        if (offered != secret is not null)
        {
            throw new WireFormatException(
                WireError.AuthenticationFailed,
                secret is null ? "The peer authenticates, this side has no secret." : "The peer did not authenticate.");
        }
    }

    private static byte[] Proof(byte[] secret, string role, byte[] firstNonce, byte[] secondNonce, NodeId prover)
    {
        var message = new byte[16 + (2 * NonceSize) + 6];
        Encoding.ASCII.GetBytes(role, message);
        firstNonce.CopyTo(message, 16);
        secondNonce.CopyTo(message, 16 + NonceSize);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(16 + (2 * NonceSize)), prover.Address);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(20 + (2 * NonceSize)), prover.Port);
        return HMACSHA256.HashData(secret, message);
    }

    private static byte[] Encode(Handshake handshake)
    {
        var bytes = new byte[Handshake.Size];
        handshake.Write(bytes);
        return bytes;
    }

    private static ValueTask SendAsync(IByteStream stream, byte[] bytes, CancellationToken cancellationToken) =>
        stream.SendAsync(bytes, cancellationToken);
}
