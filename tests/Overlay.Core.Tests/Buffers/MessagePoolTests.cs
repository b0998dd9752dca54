using FsCheck;
using NUnit.Framework;
using Overlay.Buffers;
using FsProperty = FsCheck.NUnit.PropertyAttribute;

namespace Overlay.Core.Tests.Buffers;

public class MessagePoolTests
{
    [Test]
    public void Rent_Release_ReturnsToPool()
    {
        var pool = new MessagePool();
        var message = pool.Rent(100);
        Assert.That(pool.Outstanding, Is.EqualTo(1));
        Assert.That(message.PayloadLength, Is.EqualTo(100));
        Assert.That(message.ReferenceCount, Is.EqualTo(1));
        message.Release();
        Assert.That(pool.Outstanding, Is.Zero);
        Assert.That(message.ReferenceCount, Is.Zero);
    }

    [Test]
    public void Release_Twice_IsCountedAndDoesNotReturnTwice()
    {
        var pool = new MessagePool();
        var message = pool.Rent(10);
        message.Release();
        message.Release();
        Assert.That(pool.DoubleReleases, Is.EqualTo(1));
        Assert.That(pool.Outstanding, Is.Zero);
        var again = pool.Rent(10);
        Assert.That(again.ReferenceCount, Is.EqualTo(1));
        again.Release();
        Assert.That(pool.Outstanding, Is.Zero);
    }

    [Test]
    public void Retain_AfterRelease_Throws()
    {
        var pool = new MessagePool();
        var message = pool.Rent(10);
        message.Release();
        Assert.Throws<InvalidOperationException>(() => message.Retain());
        Assert.Throws<InvalidOperationException>(() => _ = message.Payload.Length);
    }

    [Test]
    public void Clone_CopiesHeaderAndPayload_Independently()
    {
        var pool = new MessagePool();
        var message = pool.Rent(3);
        message.Type = 42;
        message.ApplicationId = 7;
        message.SequenceNumber = 9;
        message.Sender = new NodeId(1, 2);
        message.Payload[0] = 1;
        message.Payload[1] = 2;
        message.Payload[2] = 3;
        var copy = message.Clone();
        message.Payload[0] = 99;
        Assert.That(copy.Header, Is.EqualTo(message.Header));
        Assert.That(copy.Payload.ToArray(), Is.EqualTo(new byte[] { 1, 2, 3 }));
        message.Release();
        copy.Release();
        Assert.That(pool.Outstanding, Is.Zero);
    }

    // Operations: 0 = fan out to k holders, 1 = one holder releases, 2 = one holder clones (the clone is a new holder).
    [FsProperty(MaxTest = 300)]
    public bool AnyRetainReleaseCloneSchedule_LeavesNothingOutstanding(byte[] operations, PositiveInt messages)
    {
        var pool = new MessagePool();
        var holders = new List<Message>();
        for (var i = 0; i < 1 + (messages.Get % 5); i++)
            holders.Add(pool.Rent(i * 100));
        var index = 0;
        foreach (var op in operations)
        {
            if (holders.Count == 0)
                break;
            var target = holders[(index++ + op) % holders.Count];
            switch (op % 3)
            {
                case 0:
                    var fanOut = op % 4;
                    target.Retain(fanOut);
                    for (var k = 0; k < fanOut; k++)
                        holders.Add(target);
                    break;
                case 1:
                    holders.Remove(target);
                    target.Release();
                    break;
                default:
                    holders.Add(target.Clone());
                    break;
            }
        }

        // Every distinct live message is outstanding exactly once, however many holders share it.
        var accounted = pool.Outstanding == holders.Distinct().Count();
        foreach (var holder in holders)
            holder.Release();
        return accounted && pool.Outstanding == 0 && pool.DoubleReleases == 0;
    }

    [Test]
    public async Task ConcurrentFanOut_ReleasesExactlyOnce()
    {
        var pool = new MessagePool();
        const int Messages = 2000;
        const int FanOut = 4;
        var queues = Enumerable.Range(0, FanOut).Select(_ => new System.Collections.Concurrent.BlockingCollection<Message>()).ToArray();
        var consumers = queues.Select(q => Task.Run(() =>
        {
            foreach (var message in q.GetConsumingEnumerable())
                message.Release();
        })).ToArray();
        for (var i = 0; i < Messages; i++)
        {
            var message = pool.Rent(64);
            message.Retain(FanOut - 1);
            foreach (var queue in queues)
                queue.Add(message);
        }

        foreach (var queue in queues)
            queue.CompleteAdding();
        await Task.WhenAll(consumers);
        Assert.That(pool.Outstanding, Is.Zero);
        Assert.That(pool.DoubleReleases, Is.Zero);
    }
}
