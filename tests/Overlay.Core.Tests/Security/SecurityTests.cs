using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using Overlay.Core.Tests.Support;
using Overlay.Observer;
using Overlay.Wire;

namespace Overlay.Core.Tests.Security;

[Category("Integration")]
public class SecurityTests
{
    [Test, CancelAfter(60_000)]
    public async Task WrongSecret_IsRefusedAtTheHandshake_AndLogged()
    {
        await using var overlay = new TestOverlay();
        var sender = new RelayAlgorithm();
        var a = await overlay.AddAsync(sender, o => o.SharedSecret = "right");
        var log = new CapturingLoggerFactory();
        var b = await overlay.AddAsync(new RelayAlgorithm(), o =>
        {
            o.SharedSecret = "wrong";
            o.LoggerFactory = log;
        });
        var c = await overlay.AddAsync(new RelayAlgorithm(), o => o.SharedSecret = "right");
        sender.Children.Add(b.Id);
        sender.Children.Add(c.Id);
        await a.DeploySourceAsync(1, new SourceOptions { PayloadLength = 100, MessageLimit = 100 });

        Assert.That(await Eventually.TrueAsync(() => sender.Failures.Any(f => f.Peer == b.Id && f.Type == MessageTypes.SendFailed), TimeSpan.FromSeconds(10)), Is.True);
        Assert.That(
            await Eventually.TrueAsync(() => b.GetStatistics().RejectedConnections.GetValueOrDefault(WireError.AuthenticationFailed) >= 1, TimeSpan.FromSeconds(10)),
            Is.True,
            "B counted the refusal: " + string.Join(", ", b.GetStatistics().RejectedConnections));

        // …and logged it: a warning naming the reason, so an operator sees why the peer could not join.
        // The refusal is counted before it is logged (seen: counted, log record not yet written), so wait for the record.
        await Eventually.TrueAsync(() => log.Records.Any(IsAuthenticationWarning), TimeSpan.FromSeconds(10));
        var refusals = log.Records.Where(IsAuthenticationWarning).ToList();
        TestContext.Out.WriteLine(string.Join(Environment.NewLine, refusals.Select(r => r.Message)));
        Assert.That(refusals, Is.Not.Empty, "no warning with reason AuthenticationFailed among: " + string.Join(" | ", log.Records.Select(r => r.Message)));
        Assert.That(refusals[0].Message, Does.StartWith("Refused connection from 127.0.0.1:").And.Contain("AuthenticationFailed"));
        Assert.That(await Eventually.TrueAsync(() => c.GetStatistics().Upstreams.Count == 1, TimeSpan.FromSeconds(10)), Is.True, "the right secret connects");
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    private static bool IsAuthenticationWarning(LogRecord record) =>
        record.Level == LogLevel.Warning && Equals(record.Values.GetValueOrDefault("Reason"), WireError.AuthenticationFailed);

    [Test, CancelAfter(60_000)]
    public async Task ReplayedHandshake_IsRefused()
    {
        await using var overlay = new TestOverlay();
        var sender = new RelayAlgorithm();
        var a = await overlay.AddAsync(sender, o => o.SharedSecret = "s3cret");
        var b = await overlay.AddAsync(new RelayAlgorithm(), o => o.SharedSecret = "s3cret");

        // A records what a legitimate node sends when it connects (through a recording proxy).
        using var proxy = new RecordingProxy(b.Id.ToEndPoint());
        var legit = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await legit.ConnectAsync(proxy.EndPoint);
        using (var reader = new Overlay.Transport.FrameReader(overlay.Pool, 1024))
            await Overlay.Transport.HandshakeExchange.ConnectAsync(new Overlay.Transport.Tcp.SocketFrameSource(legit), reader, new Handshake(a.Id, 0), "s3cret"u8.ToArray(), CancellationToken.None);
        // The proxy forwards the proof a moment after the exchange ends on our side.
        Assert.That(
            await Eventually.TrueAsync(() => proxy.Recorded.Length >= Handshake.Size + 16 + 32, TimeSpan.FromSeconds(10)),
            Is.True,
            "handshake, nonce and proof were recorded");
        legit.Dispose();
        var recorded = proxy.Recorded;
        Assert.That(recorded.Length, Is.EqualTo(Handshake.Size + 16 + 32), "nothing but handshake, nonce and proof");

        // Replaying it word for word must fail: B's nonce is new, so the old proof does not fit.
        using var replay = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await replay.ConnectAsync(b.Id.ToEndPoint());
        await replay.SendAsync(recorded);
        Assert.That(await SocketWaits.ClosedWithinAsync(replay, TimeSpan.FromSeconds(10)), Is.True);
        // The socket closes before the accept loop counts the refusal, so the count may trail the close a little.
        Assert.That(
            await Eventually.TrueAsync(() => b.GetStatistics().RejectedConnections.GetValueOrDefault(WireError.AuthenticationFailed) >= 1, TimeSpan.FromSeconds(10)),
            Is.True);
        Assert.That(b.GetStatistics().RejectedConnections.GetValueOrDefault(WireError.AuthenticationFailed), Is.EqualTo(1), "only the replay was refused");
        Assert.That(b.IsRunning, Is.True);
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(60_000)]
    public async Task TerminateCommand_FromAPeerLink_IsRefused_AndTheNodeKeepsRunning()
    {
        await using var overlay = new TestOverlay();
        var victim = await overlay.AddAsync(new RelayAlgorithm());

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(victim.Id.ToEndPoint());
        var handshake = new byte[Handshake.Size];
        new Handshake(new NodeId(0x7F000001, 1), 0).Write(handshake);
        var command = JsonSerializer.SerializeToUtf8Bytes(new ControlRequest { Kind = ControlKind.TerminateNode }, ObserverJson.Options);
        var frame = new byte[MessageHeader.Size + command.Length];
        new MessageHeader(MessageTypes.ObserverControl, new NodeId(0x7F000001, 1), 0, 1, command.Length).Write(frame);
        command.CopyTo(frame, MessageHeader.Size);
        await socket.SendAsync(handshake);
        await socket.SendAsync(frame);

        Assert.That(await SocketWaits.ClosedWithinAsync(socket, TimeSpan.FromSeconds(10)), Is.True, "the link that carried the command is closed");
        // The close is counted when the node's loop handles it, a moment after the socket closed.
        Assert.That(
            await Eventually.TrueAsync(() => victim.GetStatistics().LinksClosedByError.GetValueOrDefault(WireError.NotAllowed) >= 1, TimeSpan.FromSeconds(10)),
            Is.True);
        // A terminate command would have stopped the node within 100 ms of arriving (ExecuteControlAsync).
        await Task.Delay(500);
        Assert.That(victim.IsRunning, Is.True);
        Assert.That(victim.GetStatistics().LinksClosedByError.GetValueOrDefault(WireError.NotAllowed), Is.EqualTo(1));
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }


    /// <summary>Forwards one connection to a target and keeps what the client sent.</summary>
    private sealed class RecordingProxy : IDisposable
    {
        private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        private readonly MemoryStream _recorded = new();

        public RecordingProxy(IPEndPoint target)
        {
            _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _listener.Listen(1);
            _ = RunAsync(target);
        }

        public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndPoint!;

        public byte[] Recorded
        {
            get
            {
                lock (_recorded)
                    return _recorded.ToArray();
            }
        }

        public void Dispose() => _listener.Dispose();

        private async Task RunAsync(IPEndPoint target)
        {
            using var client = await _listener.AcceptAsync();
            using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await server.ConnectAsync(target);
            await Task.WhenAny(PumpAsync(client, server, record: true), PumpAsync(server, client, record: false));
        }

        private async Task PumpAsync(Socket from, Socket to, bool record)
        {
            var buffer = new byte[4096];
            try
            {
                int read;
                while ((read = await from.ReceiveAsync(buffer)) > 0)
                {
                    if (record)
                    {
                        lock (_recorded)
                            _recorded.Write(buffer, 0, read);
                    }

                    await to.SendAsync(buffer.AsMemory(0, read));
                }
            }
            catch (SocketException)
            {
            }
        }
    }
}
