using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;
using Overlay.Buffers;
using Overlay.Transport;
using Overlay.Transport.Tcp;
using Overlay.Wire;

namespace Overlay.Core.Tests.Transport;

[Category("Integration")]
public class FramedLinkTests
{
    [Test, CancelAfter(60_000)]
    public async Task TwoLinks_Exchange100000RandomSizedMessages_VerifiedByteForByte()
    {
        const int Count = 100_000;
        var pool = new MessagePool();
        var handler = new VerifyingHandler(pool, Count);
        await using var server = NewTransport(pool);
        server.Start(handler);
        await using var client = NewTransport(pool);
        client.Start(new VerifyingHandler(pool, 0));

        var connection = await client.ConnectAsync(server.LocalId, CancellationToken.None);
        var random = new Random(12345);
        var batch = new Message[32];
        var sent = 0;
        while (sent < Count)
        {
            var size = Math.Min(32, Count - sent);
            for (var i = 0; i < size; i++)
            {
                var seq = sent + i;
                // Mostly small and mid-sized frames, now and then one large enough to bypass staging.
                var length = random.Next(10) == 0 ? random.Next(16_000, 70_000) : random.Next(0, 6000);
                var message = pool.Rent(length);
                message.Type = MessageTypes.Data;
                message.SequenceNumber = seq;
                message.ApplicationId = length;
                SourceOptions.FillPattern(message);
                message.EncodeHeader();
                batch[i] = message;
            }

            await connection.SendAsync(batch.AsMemory(0, size));
            for (var i = 0; i < size; i++)
                batch[i].Release();
            sent += size;
        }

        await handler.Done.WaitAsync(TimeSpan.FromSeconds(50));
        Assert.That(handler.Received, Is.EqualTo(Count));
        Assert.That(handler.Errors, Is.Zero, handler.FirstError);
        await connection.DisposeAsync();
        await handler.ReceiveLoop!;
        Assert.That(pool.Outstanding, Is.Zero);
    }

    private static TcpTransport NewTransport(MessagePool pool) =>
        new(new IPEndPoint(IPAddress.Loopback, 0), 1, pool, 1024 * 1024, TimeSpan.FromSeconds(5), NullLogger.Instance);

    private sealed class VerifyingHandler(MessagePool pool, int expected) : IConnectionHandler, IFrameSink
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Done => _done.Task;

        public Task? ReceiveLoop { get; private set; }

        public int Received { get; private set; }

        public int Errors { get; private set; }

        public string FirstError { get; private set; } = string.Empty;

        public void OnAccepted(IConnection connection) =>
            ReceiveLoop = Task.Run(async () =>
            {
                try
                {
                    await connection.ReceiveAsync(this, CancellationToken.None);
                }
                finally
                {
                    await connection.DisposeAsync();
                }
            });

        public void OnRejected(EndPoint? remote, WireError reason, Exception? exception) => Errors++;

        public ValueTask OnMessageAsync(Message message)
        {
            if (message.SequenceNumber != Received || message.ApplicationId != message.PayloadLength || !SourceOptions.IsPattern(message))
            {
                if (Errors++ == 0)
                    FirstError = $"message {Received}: seq {message.SequenceNumber}, length {message.PayloadLength}";
            }

            message.Release();
            if (++Received == expected)
                _done.TrySetResult();
            _ = pool;
            return ValueTask.CompletedTask;
        }
    }
}
