using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;
using Overlay.Buffers;
using Overlay.Transport;
using Overlay.Wire;

namespace Overlay.Core.Tests.Contracts;

/// <summary>
/// What every transport must do, written once: each transport in the box runs it through a subclass that says how
/// to make its factory. A transport passes only with the same framing, back pressure, close and abort semantics,
/// bad-input handling and handshake (with authentication) as the others, and flags that tell the truth.
/// </summary>
[Category("Integration")]
public abstract class TransportContract
{
    private readonly List<ITransport> _transports = [];
    private MessagePool _pool = null!;

    /// <summary>A fresh factory for one test (a new network, for transports that have one).</summary>
    protected abstract ITransportFactory CreateFactory();

    /// <summary>The most bytes a sender may get out while its peer reads nothing, with 64 KiB socket buffers.</summary>
    protected abstract long BufferedBound { get; }

    [SetUp]
    public void SetUp()
    {
        _pool = new MessagePool();
        _transports.Clear();
    }

    [TearDown]
    public async Task TearDown()
    {
        foreach (var transport in _transports)
            await transport.DisposeAsync();
    }

    [Test, CancelAfter(60_000)]
    public async Task Framing_ManyFramesOfMixedSizes_ArriveWhole_AndInOrder()
    {
        var factory = CreateFactory();
        var (server, handler) = Start(factory);
        var (client, _) = Start(factory);
        var connection = await client.ConnectAsync(server.LocalId, PeerRole.Node, CancellationToken.None);
        var accepted = await handler.NextAsync();
        Assert.That(accepted.Remote, Is.EqualTo(client.LocalId), "the acceptor learns the connector's identity from its handshake");
        Assert.That(connection.Remote, Is.EqualTo(server.LocalId));
        var sink = new ContractSink();
        var receive = accepted.ReceiveAsync(sink, CancellationToken.None);

        const int Count = 20_000;
        var random = new Random(17);
        var sent = 0;
        var batch = new Message[32];
        while (sent < Count)
        {
            var size = Math.Min(batch.Length, Count - sent);
            for (var i = 0; i < size; i++)
                batch[i] = Frame(sent + i, random.Next(50) == 0 ? random.Next(16_000, 70_000) : random.Next(0, 3000));
            await connection.SendAsync(batch.AsMemory(0, size));
            ReleaseAll(batch.AsSpan(0, size));
            sent += size;
        }

        await connection.DisposeAsync();
        await receive.WaitAsync(TimeSpan.FromSeconds(30)); // the orderly end after the last frame: no exception
        Assert.That(sink.Received, Is.EqualTo(Count));
        Assert.That(sink.FirstError, Is.Null);
        await accepted.DisposeAsync();
        Assert.That(_pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(60_000)]
    public async Task BackPressure_AReceiverThatDoesNotRead_KeepsTheSendPending_WithBoundedBytesInBetween()
    {
        var factory = CreateFactory();
        if ((Capabilities(factory) & TransportCapabilities.FlowControlled) == 0)
            Assert.Ignore("The transport does not claim flow control.");
        var (server, handler) = Start(factory, o => o.SocketBufferSize = 64 * 1024);
        var (client, _) = Start(factory, o => o.SocketBufferSize = 64 * 1024);
        var connection = await client.ConnectAsync(server.LocalId, PeerRole.Node, CancellationToken.None);
        var accepted = await handler.NextAsync();

        // 8 MiB to a peer that reads nothing: far more than any bounded buffer in between.
        var batch = new Message[8];
        for (var i = 0; i < batch.Length; i++)
            batch[i] = Frame(i, 1024 * 1024 - 24);
        var total = 0L;
        foreach (var message in batch)
            total += message.FrameLength;
        var progress = new CountingProgress();
        var send = connection.SendAsync(batch, progress).AsTask();

        // Wait until the bytes handed on stop growing, then the send must still be pending.
        var stable = 0;
        var last = -1L;
        for (var round = 0; round < 300 && stable < 5 && !send.IsCompleted; round++)
        {
            await Task.Delay(100);
            var now = progress.Bytes;
            stable = now == last ? stable + 1 : 0;
            last = now;
        }

        // What is held between the two ends: the bytes the sender got out (a TCP write reports only once the kernel
        // took all of it, so there, what waits unread in the receiver's kernel tells more).
        var held = Math.Max(progress.Bytes, (accepted as IKernelBuffers)?.BytesWaiting ?? 0);
        TestContext.Out.WriteLine($"{progress.Bytes} of {total} bytes handed on, {held} held in between, while the peer read nothing");
        Assert.That(send.IsCompleted, Is.False, "the send waits while the receiver does not read");
        Assert.That(held, Is.LessThanOrEqualTo(BufferedBound));

        // Reading resumes: everything arrives and the send completes.
        var sink = new ContractSink();
        var receive = accepted.ReceiveAsync(sink, CancellationToken.None);
        await send.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(progress.Bytes, Is.EqualTo(total));
        ReleaseAll(batch);
        await connection.DisposeAsync();
        await receive.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(sink.Received, Is.EqualTo(batch.Length));
        Assert.That(sink.FirstError, Is.Null);
        await accepted.DisposeAsync();
        Assert.That(_pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(60_000)]
    public async Task GracefulClose_ThePeerReadsWhatWasSent_ThenTheEnd()
    {
        var factory = CreateFactory();
        var (server, handler) = Start(factory);
        var (client, _) = Start(factory);
        var connection = await client.ConnectAsync(server.LocalId, PeerRole.Node, CancellationToken.None);
        var accepted = await handler.NextAsync();
        var sink = new ContractSink();
        var receive = accepted.ReceiveAsync(sink, CancellationToken.None);
        var batch = new[] { Frame(0, 100), Frame(1, 5000), Frame(2, 0) };
        await connection.SendAsync(batch);
        ReleaseAll(batch);
        await connection.DisposeAsync();

        Assert.That(async () => await receive.WaitAsync(TimeSpan.FromSeconds(30)), Throws.Nothing, "an orderly end, not an error");
        Assert.That(sink.Received, Is.EqualTo(3));
        Assert.That(sink.FirstError, Is.Null);

        // The acceptor's side of the closed connection: a write now fails (eventually, on TCP, once the peer's reset arrives).
        var failed = false;
        for (var i = 0; i < 200 && !failed; i++)
        {
            var probe = new[] { Frame(i, 1000) };
            try
            {
                await accepted.SendAsync(probe);
                await Task.Delay(20);
            }
            catch (TransportException ex)
            {
                failed = ex.Failure == TransportFailure.ConnectionReset;
            }
            finally
            {
                ReleaseAll(probe);
            }
        }

        Assert.That(failed, Is.True, "writing to a peer that closed fails with a reset");
        await accepted.DisposeAsync();
        Assert.That(_pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(60_000)]
    public async Task Abort_PendingSendAndReceiveFail_AndThePeerSeesAReset()
    {
        var factory = CreateFactory();
        var (server, handler) = Start(factory, o => o.SocketBufferSize = 64 * 1024);
        var (client, _) = Start(factory, o => o.SocketBufferSize = 64 * 1024);
        var connection = await client.ConnectAsync(server.LocalId, PeerRole.Node, CancellationToken.None);
        var accepted = await handler.NextAsync();

        // A send held up by a peer that does not read, and a receive waiting for frames that never come.
        var batch = new Message[8];
        for (var i = 0; i < batch.Length; i++)
            batch[i] = Frame(i, 1024 * 1024 - 24);
        var send = connection.SendAsync(batch).AsTask();
        var receive = connection.ReceiveAsync(new ContractSink(), CancellationToken.None);
        Assert.That(await Eventually.TrueAsync(() => !send.IsCompleted, TimeSpan.FromSeconds(1)), Is.True);

        connection.Abort();
        Assert.That(async () => await send.WaitAsync(TimeSpan.FromSeconds(30)), Throws.InstanceOf<Exception>(), "the pending send fails");
        Assert.That(async () => await receive.WaitAsync(TimeSpan.FromSeconds(30)), Throws.InstanceOf<Exception>(), "the pending receive fails");
        ReleaseAll(batch);

        var peerSink = new ContractSink();
        var ex = await Assert.CatchAsync(async () => await accepted.ReceiveAsync(peerSink, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.That(ex, Is.InstanceOf<TransportException>(), $"the peer sees a reset, not an orderly end: {ex}");
        Assert.That(((TransportException)ex!).Failure, Is.EqualTo(TransportFailure.ConnectionReset));
        await connection.DisposeAsync();
        await accepted.DisposeAsync();
        Assert.That(_pool.Outstanding, Is.Zero);
    }

    [TestCase(WireError.UnknownType)]
    [TestCase(WireError.OversizedPayload)]
    [CancelAfter(60_000)]
    public async Task BadInput_AfterTheHandshake_FailsThatConnection_WithItsReason_AndOthersCarryOn(WireError error)
    {
        var factory = CreateFactory();
        var (server, handler) = Start(factory, o => o.MaxPayloadLength = 4096);
        var (client, _) = Start(factory);
        var bad = await client.ConnectAsync(server.LocalId, PeerRole.Node, CancellationToken.None);
        var badAccepted = await handler.NextAsync();
        var badSink = new ContractSink();
        var badReceive = badAccepted.ReceiveAsync(badSink, CancellationToken.None);

        var good = new[] { Frame(0, 100) };
        var garbage = Frame(1, 100);
        if (error == WireError.UnknownType)
            garbage.Buffer.AsSpan(0, 4).Clear(); // type 0
        else
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(garbage.Buffer.AsSpan(20), 1_000_000); // claims 1 MB
        await bad.SendAsync(good);
        await bad.SendAsync(new[] { garbage });
        ReleaseAll(good);
        garbage.Release();

        var ex = await Assert.CatchAsync(async () => await badReceive.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.That(ex, Is.InstanceOf<WireFormatException>());
        Assert.That(((WireFormatException)ex!).Error, Is.EqualTo(error));
        Assert.That(badSink.Received, Is.EqualTo(1), "the good frame before the garbage was delivered");
        await badAccepted.DisposeAsync();
        await bad.DisposeAsync();

        // The transport still accepts, and the new connection works.
        var other = await client.ConnectAsync(server.LocalId, PeerRole.Node, CancellationToken.None);
        var otherAccepted = await handler.NextAsync();
        var sink = new ContractSink();
        var receive = otherAccepted.ReceiveAsync(sink, CancellationToken.None);
        var frames = new[] { Frame(0, 10), Frame(1, 4000) };
        await other.SendAsync(frames);
        ReleaseAll(frames);
        await other.DisposeAsync();
        await receive.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(sink.Received, Is.EqualTo(2));
        await otherAccepted.DisposeAsync();
        Assert.That(_pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(60_000)]
    public async Task Handshake_WrongOverlay_IsRefused_OnBothSides()
    {
        var factory = CreateFactory();
        var (server, handler) = Start(factory, o => o.OverlayId = 1);
        var (client, _) = Start(factory, o => o.OverlayId = 2);
        Assert.That(
            async () => await client.ConnectAsync(server.LocalId, PeerRole.Node, CancellationToken.None),
            Throws.InstanceOf<WireFormatException>().Or.InstanceOf<TransportException>());
        Assert.That(await Eventually.TrueAsync(() => handler.Rejected.Contains(WireError.WrongOverlay), TimeSpan.FromSeconds(10)), Is.True, string.Join(", ", handler.Rejected));
        Assert.That(server.ConnectionsInHandshake, Is.Zero);
    }

    [Test, CancelAfter(60_000)]
    public async Task Handshake_WrongSecret_IsRefused_OnBothSides()
    {
        var factory = CreateFactory();
        var (server, handler) = Start(factory, o => o.SharedSecret = "right");
        var (client, _) = Start(factory, o => o.SharedSecret = "wrong");
        var ex = await Assert.CatchAsync(async () => await client.ConnectAsync(server.LocalId, PeerRole.Node, CancellationToken.None));
        Assert.That(ex, Is.InstanceOf<WireFormatException>());
        Assert.That(((WireFormatException)ex!).Error, Is.EqualTo(WireError.AuthenticationFailed), "the connector finds the acceptor's proof wrong");
        Assert.That(await Eventually.TrueAsync(() => handler.Rejected.Contains(WireError.AuthenticationFailed), TimeSpan.FromSeconds(10)), Is.True, string.Join(", ", handler.Rejected));
    }

    [Test, CancelAfter(60_000)]
    public async Task Handshake_RightSecret_IsAccepted_AndCarriesFrames()
    {
        var factory = CreateFactory();
        var (server, handler) = Start(factory, o => o.SharedSecret = "right");
        var (client, _) = Start(factory, o => o.SharedSecret = "right");
        var connection = await client.ConnectAsync(server.LocalId, PeerRole.Node, CancellationToken.None);
        var accepted = await handler.NextAsync();
        Assert.That(accepted.Remote, Is.EqualTo(client.LocalId));
        var sink = new ContractSink();
        var receive = accepted.ReceiveAsync(sink, CancellationToken.None);
        var frames = new[] { Frame(0, 10) };
        await connection.SendAsync(frames);
        ReleaseAll(frames);
        await connection.DisposeAsync();
        await receive.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(sink.Received, Is.EqualTo(1));
        Assert.That(handler.Rejected, Is.Empty);
        await accepted.DisposeAsync();
    }

    [Test, CancelAfter(60_000)]
    public async Task Connect_ToAnIdentityNobodyHas_IsUnreachable()
    {
        var factory = CreateFactory();
        var (server, _) = Start(factory);
        var (client, _) = Start(factory);
        var gone = server.LocalId;
        await server.StopAcceptingAsync();
        var ex = await Assert.CatchAsync(async () => await client.ConnectAsync(gone, PeerRole.Node, CancellationToken.None));
        Assert.That(ex, Is.InstanceOf<TransportException>(), $"a transport-neutral failure the engine retries: {ex}");
    }

    [Test, CancelAfter(60_000)]
    public async Task Capabilities_TheTransportAndItsConnectionsReportTheSame_AndANodeNeedsAStream()
    {
        var factory = CreateFactory();
        var (server, handler) = Start(factory);
        var (client, _) = Start(factory);
        var connection = await client.ConnectAsync(server.LocalId, PeerRole.Node, CancellationToken.None);
        var accepted = await handler.NextAsync();
        Assert.That(connection.Capabilities, Is.EqualTo(client.Capabilities));
        Assert.That(accepted.Capabilities, Is.EqualTo(server.Capabilities));

        // The flags are tested by behaviour above: Reliable and Ordered by the framing test (every frame, in order),
        // FlowControlled by the back-pressure test. A byte-stream transport does not claim datagrams.
        Assert.That(client.Capabilities & TransportCapabilities.Datagram, Is.EqualTo(TransportCapabilities.None));
        Assert.That(client.Capabilities & TransportCapabilities.Stream, Is.EqualTo(TransportCapabilities.Stream));
        await connection.DisposeAsync();
        await accepted.DisposeAsync();
    }

    private TransportCapabilities Capabilities(ITransportFactory factory)
    {
        var (transport, _) = Start(factory);
        return transport.Capabilities;
    }

    private (ITransport Transport, ContractHandler Handler) Start(ITransportFactory factory, Action<OverlayNodeOptions>? configure = null)
    {
        var options = new OverlayNodeOptions { HandshakeTimeout = TimeSpan.FromSeconds(20) };
        configure?.Invoke(options);
        var budget = new ReceiveBudget(options.PartialMessageBudget);
        var transport = factory.Create(new TransportSetup(options, _pool, options.TimeProvider ?? TimeProvider.System, NullLoggerFactory.Instance, budget));
        _transports.Add(transport);
        var handler = new ContractHandler();
        transport.Start(handler);
        return (transport, handler);
    }

    private Message Frame(int sequence, int payloadLength)
    {
        var message = _pool.Rent(payloadLength);
        message.Type = MessageTypes.Data;
        message.SequenceNumber = sequence;
        message.ApplicationId = payloadLength;
        SourceOptions.FillPattern(message);
        message.EncodeHeader();
        return message;
    }

    private static void ReleaseAll(Span<Message> batch)
    {
        foreach (var message in batch)
            message.Release();
    }

    private sealed class CountingProgress : ISendProgress
    {
        private long _bytes;

        public long Bytes => Interlocked.Read(ref _bytes);

        public void OnWritten(int bytes) => Interlocked.Add(ref _bytes, bytes);
    }
}
