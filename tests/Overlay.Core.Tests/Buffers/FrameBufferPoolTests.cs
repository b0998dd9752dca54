using NUnit.Framework;
using Overlay.Buffers;
using Overlay.Wire;

namespace Overlay.Core.Tests.Buffers;

public class FrameBufferPoolTests
{
    [Test]
    public void RentedLength_IsTheSmallestClassThatFits_AndWastesAtMostAQuarter()
    {
        var previous = FrameBufferPool.RentedLength(0);
        Assert.That(previous, Is.EqualTo(64 + MessageHeader.Size));
        for (var length = 1; length <= FrameBufferPool.MaxPooledLength; length++)
        {
            var rented = FrameBufferPool.RentedLength(length);
            if (rented < length)
                Assert.Fail($"{length} bytes rent an array of {rented}.");

            // A class changes only right after a length that filled the previous class exactly: no smaller class fits.
            if (rented != previous && previous != length - 1)
                Assert.Fail($"{length - 1} bytes rent {previous} but {length} bytes rent {rented}.");
            var payload = length - MessageHeader.Size;
            if (payload > 64 && (long)(rented - MessageHeader.Size) * 4 > (long)payload * 5)
                Assert.Fail($"{length} bytes rent {rented}: more than a quarter wasted.");
            previous = rented;
        }

        Assert.That(FrameBufferPool.RentedLength(MessageHeader.Size + (5 * 1024)), Is.EqualTo(MessageHeader.Size + (5 * 1024)));
        Assert.That(FrameBufferPool.RentedLength(MessageHeader.Size + 64), Is.EqualTo(MessageHeader.Size + 64));
        Assert.That(FrameBufferPool.RentedLength(FrameBufferPool.MaxPooledLength + 1), Is.EqualTo(FrameBufferPool.MaxPooledLength + 1));
    }

    // The documented classes, written out: a 24-byte header plus a payload class of 64 bytes, then 2^k, 1.25·2^k,
    // 1.5·2^k and 1.75·2^k up to 2 MiB; beyond that the exact length (not pooled).
    [TestCase(0, 88)]
    [TestCase(88, 88)]
    [TestCase(89, 104)] // 65-byte payload: the 80-byte class (1.25 · 64)
    [TestCase(104, 104)]
    [TestCase(105, 120)] // 96 = 1.5 · 64
    [TestCase(137, 152)] // 113 → 128 = 2 · 64
    [TestCase(1_048, 1_048)] // 1,024 exactly
    [TestCase(1_049, 1_304)] // 1,025 → 1,280 = 1.25 · 1,024
    [TestCase(5_144, 5_144)] // 5 KB = 1.25 · 4,096: a round size wastes nothing
    [TestCase(5_145, 6_168)] // 5,121 → 6,144 = 1.5 · 4,096
    [TestCase(7_193, 8_216)] // 7,169 → 8,192 = 2 · 4,096
    [TestCase(1_000_000, 1_048_600)] // 999,976 → 1,048,576 = 2 · 524,288
    [TestCase(2_097_176, 2_097_176)] // 2 MiB, the largest class
    [TestCase(2_097_177, 2_097_177)] // beyond it: exactly what was asked
    public void Rent_ReturnsAnArrayOfTheDocumentedClassLength(int length, int expected)
    {
        var pool = new FrameBufferPool();
        var array = pool.Rent(length);
        Assert.That(array, Has.Length.EqualTo(expected));
        Assert.That(FrameBufferPool.RentedLength(length), Is.EqualTo(expected));
        pool.Return(array);
        if (expected <= 2_097_176)
            Assert.That(pool.Rent(length), Is.SameAs(array));
    }

    [Test]
    public void ThousandsInFlight_AreAllReused()
    {
        const int InFlight = 5000;
        var pool = new FrameBufferPool();
        var first = new HashSet<byte[]>(ReferenceEqualityComparer.Instance);
        var rented = new byte[InFlight][];
        for (var i = 0; i < InFlight; i++)
            first.Add(rented[i] = pool.Rent(MessageHeader.Size + (5 * 1024)));
        foreach (var array in rented)
            pool.Return(array);
        Assert.That(pool.IdleCount(MessageHeader.Size + (5 * 1024)), Is.EqualTo(InFlight));

        for (var i = 0; i < InFlight; i++)
            rented[i] = pool.Rent(MessageHeader.Size + (5 * 1024));
        Assert.That(rented.Count(first.Contains), Is.EqualTo(InFlight));
    }

    [Test]
    public void MessagePool_ReusesBuffersOfThousandsOfMessagesInFlight()
    {
        const int InFlight = 5000;
        var pool = new MessagePool();
        var messages = new Message[InFlight];
        for (var i = 0; i < InFlight; i++)
            messages[i] = pool.Rent(5 * 1024);
        var first = new HashSet<byte[]>(messages.Select(m => m.Buffer), ReferenceEqualityComparer.Instance);
        foreach (var message in messages)
            message.Release();

        for (var i = 0; i < InFlight; i++)
            messages[i] = pool.Rent(5 * 1024);
        Assert.That(messages.Count(m => first.Contains(m.Buffer)), Is.EqualTo(InFlight));
        foreach (var message in messages)
            message.Release();
        Assert.That(pool.Outstanding, Is.Zero);
    }

    [Test]
    public void IdleArrays_AreBoundedPerClass()
    {
        const int Length = MessageHeader.Size + 1024;
        var pool = new FrameBufferPool(retainedBytesPerClass: 100 * Length);
        var arrays = Enumerable.Range(0, 500).Select(_ => pool.Rent(Length)).ToList();
        foreach (var array in arrays)
            pool.Return(array);
        Assert.That(pool.IdleCount(Length), Is.EqualTo(100));

        var huge = new FrameBufferPool(retainedBytesPerClass: 0);
        var large = Enumerable.Range(0, 20).Select(_ => huge.Rent(FrameBufferPool.MaxPooledLength)).ToList();
        foreach (var array in large)
            huge.Return(array);
        Assert.That(huge.IdleCount(FrameBufferPool.MaxPooledLength), Is.EqualTo(FrameBufferPool.MinRetainedPerClass));
    }

    [Test]
    public void ForeignAndOversizedArrays_AreNotKept()
    {
        var pool = new FrameBufferPool();
        pool.Return(new byte[100]);
        Assert.That(pool.IdleCount(100), Is.Zero);
        Assert.That(pool.Rent(100), Has.Length.EqualTo(104)); // 76-byte payload: the 80-byte class

        var oversized = pool.Rent(FrameBufferPool.MaxPooledLength + 1);
        pool.Return(oversized);
        Assert.That(pool.Rent(FrameBufferPool.MaxPooledLength + 1), Is.Not.SameAs(oversized));
    }

    [Test, CancelAfter(30_000)]
    public void ConcurrentRentAndReturn_NeverHandsOneArrayToTwoHolders()
    {
        var pool = new FrameBufferPool();
        var conflicts = 0;
        Parallel.For(0, 4, worker =>
        {
            var mark = (byte)(worker + 1);
            for (var i = 0; i < 50_000; i++)
            {
                var array = pool.Rent(200 + (i % 3 * 1000));
                array[0] = mark;
                array[^1] = mark;
                Thread.SpinWait(10);
                if (array[0] != mark || array[^1] != mark)
                    Interlocked.Increment(ref conflicts);
                pool.Return(array);
            }
        });
        Assert.That(conflicts, Is.Zero);
    }
}
