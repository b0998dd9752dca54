using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using NUnit.Framework;
using Overlay.Buffers;
using Overlay.Transport;
using Overlay.Wire;

namespace Overlay.Core.Tests.Wire;

/// <summary>
/// Golden byte vectors: the header, the handshake and the authentication exchange as they must look on the wire,
/// written out by hand from the documented layouts (never produced by the code under test), so that a change of
/// layout fails here even when writer and reader change together.
/// </summary>
public class WireBytesTests
{
    // type 0x01020304 | sender 192.168.1.7 | port 0xABCD | application 0x0A0B0C0D | sequence -2 | length 0x1234
    private static readonly byte[] HeaderBytes =
    [
        0x01, 0x02, 0x03, 0x04,
        0xC0, 0xA8, 0x01, 0x07,
        0x00, 0x00, 0xAB, 0xCD,
        0x0A, 0x0B, 0x0C, 0x0D,
        0xFF, 0xFF, 0xFF, 0xFE,
        0x00, 0x00, 0x12, 0x34,
    ];

    private static readonly MessageHeader Header = new(0x01020304, new NodeId(0xC0A80107, 0xABCD), 0x0A0B0C0D, -2, 0x1234);

    // "OVLY" | version 1 | flags Observer|Authenticated | 127.0.0.1 | port 8080 | reserved | overlay 0xDEADBEEF | reserved
    private static readonly byte[] HandshakeBytes =
    [
        0x4F, 0x56, 0x4C, 0x59,
        0x00, 0x01,
        0x00, 0x03,
        0x7F, 0x00, 0x00, 0x01,
        0x1F, 0x90,
        0x00, 0x00,
        0xDE, 0xAD, 0xBE, 0xEF,
        0x00, 0x00, 0x00, 0x00,
    ];

    private static readonly Handshake Hello = new(new NodeId(0x7F000001, 8080), 0xDEADBEEF, HandshakeFlags.Observer | HandshakeFlags.Authenticated);

    [Test]
    public void Header_Write_PutsEveryFieldAtItsOffset_BigEndian()
    {
        var bytes = new byte[MessageHeader.Size];
        Header.Write(bytes);
        Assert.That(Convert.ToHexString(bytes), Is.EqualTo(Convert.ToHexString(HeaderBytes)));
    }

    [Test]
    public void Header_TryRead_DecodesTheGoldenBytes()
    {
        Assert.That(MessageHeader.TryRead(HeaderBytes, 0x1234, out var decoded), Is.EqualTo(WireError.None));
        Assert.That(decoded, Is.EqualTo(Header));
    }

    [Test]
    public void Handshake_Write_PutsEveryFieldAtItsOffset_BigEndian()
    {
        var bytes = new byte[Handshake.Size];
        bytes.AsSpan().Fill(0xEE); // the reserved fields must be written as zeros, not left alone
        Hello.Write(bytes);
        Assert.That(Convert.ToHexString(bytes), Is.EqualTo(Convert.ToHexString(HandshakeBytes)));
    }

    [Test]
    public void Handshake_TryRead_DecodesTheGoldenBytes()
    {
        Assert.That(Handshake.TryRead(HandshakeBytes, out var decoded), Is.EqualTo(WireError.None));
        Assert.That(decoded, Is.EqualTo(Hello));
    }

    // The connector's side of the authenticated exchange against a scripted acceptor that speaks the documented
    // layout: handshake + 16-byte nonce out; handshake + nonce + HMAC-SHA256 proof in; the connector's proof out. Each
    // proof is HMAC(secret, role zero-padded to 16 bytes | first nonce | second nonce | prover IPv4 | prover port).
    [Test, CancelAfter(30_000)]
    public async Task AuthenticatedExchange_Connector_SendsTheDocumentedBytes()
    {
        var secret = "golden"u8.ToArray();
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!);
        using var acceptor = await listener.AcceptAsync();
        var pool = new MessagePool();
        using var reader = new FrameReader(pool, 1024);
        var connecting = HandshakeExchange.ConnectAsync(new Overlay.Transport.Tcp.SocketFrameSource(client), reader, new Handshake(new NodeId(0x7F000001, 8080), 0xDEADBEEF), secret, CancellationToken.None);

        // Connector → acceptor: its handshake with the Authenticated flag set (the caller did not set it), then a nonce.
        var first = await ReceiveExactAsync(acceptor, Handshake.Size + 16);
        Assert.That(Convert.ToHexString(first, 0, Handshake.Size), Is.EqualTo("4F564C59" + "0001" + "0002" + "7F000001" + "1F90" + "0000" + "DEADBEEF" + "00000000"));
        var connectorNonce = first[Handshake.Size..];

        // Acceptor → connector: 127.0.0.2:9000, a fixed nonce, and its proof.
        byte[] acceptorNonce = [0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xA8, 0xA9, 0xAA, 0xAB, 0xAC, 0xAD, 0xAE, 0xAF];
        byte[] acceptorHandshake = [0x4F, 0x56, 0x4C, 0x59, 0x00, 0x01, 0x00, 0x02, 0x7F, 0x00, 0x00, 0x02, 0x23, 0x28, 0x00, 0x00, 0xDE, 0xAD, 0xBE, 0xEF, 0, 0, 0, 0];
        var acceptorProof = HMACSHA256.HashData(secret, (byte[])[.. Role("acceptor"), .. connectorNonce, .. acceptorNonce, 0x7F, 0x00, 0x00, 0x02, 0x23, 0x28]);
        await acceptor.SendAsync((byte[])[.. acceptorHandshake, .. acceptorNonce, .. acceptorProof]);

        // Connector → acceptor: its proof, over the nonces in the other order and its own endpoint. A connector that
        // finds the acceptor's proof wrong stops here instead: that failure is the test's answer.
        var proof = ReceiveExactAsync(acceptor, 32);
        if (await Task.WhenAny(proof, connecting) == connecting && connecting.IsFaulted)
            await connecting;
        var connectorProof = await proof;
        var expected = HMACSHA256.HashData(secret, (byte[])[.. Role("connector"), .. acceptorNonce, .. connectorNonce, 0x7F, 0x00, 0x00, 0x01, 0x1F, 0x90]);
        Assert.That(Convert.ToHexString(connectorProof), Is.EqualTo(Convert.ToHexString(expected)));
        var remote = await connecting;
        Assert.That(remote.ListenEndpoint, Is.EqualTo(new NodeId(0x7F000002, 9000)));
    }

    // ASCII role name, zero-padded to 16 bytes.
    private static byte[] Role(string name)
    {
        var bytes = new byte[16];
        for (var i = 0; i < name.Length; i++)
            bytes[i] = (byte)name[i];
        return bytes;
    }

    private static async Task<byte[]> ReceiveExactAsync(Socket socket, int count)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None);
            if (n == 0)
                throw new InvalidOperationException($"The peer closed after {read} of {count} bytes.");
            read += n;
        }

        return buffer;
    }
}
