using System.Buffers;
using System.Numerics;
using Overlay.Wire;

namespace Overlay.Buffers;

/// <summary>
/// The frame buffers of one <see cref="MessagePool"/>: arrays in fine size classes, with room for as many idle
/// arrays as a busy overlay has messages in flight.
/// </summary>
/// <remarks>
/// <para>A size class is a payload size plus the 24-byte header. Payload classes are 64 bytes and then four per
/// power of two (2^k, 1.25·2^k, 1.5·2^k, 1.75·2^k) up to 2 MiB, so a frame wastes at most a fifth of its array
/// and a round payload size wastes nothing: a 5 KB message takes a 5,144-byte array, where the power-of-two
/// buckets of <see cref="ArrayPool{T}"/> would hand out 8,192 bytes. Larger requests are allocated and not
/// kept.</para>
/// <para>Each class keeps its idle arrays in a <see cref="FrameBufferBucket"/> that grows on demand up to about
/// 32 MiB of arrays (at least <see cref="MinRetainedPerClass"/> of them): enough for thousands of 5 KB messages in
/// flight, while a burst of large messages does not stay in memory for ever.</para>
/// </remarks>
internal sealed class FrameBufferPool : ArrayPool<byte>
{
    /// <summary>The largest payload whose frame buffer is pooled.</summary>
    public const int MaxPooledPayload = 1 << MaxPooledPayloadLog2;

    /// <summary>Default bound on the idle bytes kept per size class.</summary>
    public const int DefaultRetainedBytesPerClass = 32 * 1024 * 1024;

    /// <summary>Idle arrays a class may always keep, however large they are.</summary>
    public const int MinRetainedPerClass = 8;

    private const int MaxPooledPayloadLog2 = 21;
    private const int MinPayloadClass = 64;
    private const int MinPayloadClassLog2 = 6;
    private const int ClassesPerDoubling = 4;

    // Class 0 holds payloads up to 64 bytes; then four classes for each doubling from 2^6 up to 2^21 (2 MiB).
    private const int ClassCount = 1 + (ClassesPerDoubling * (MaxPooledPayloadLog2 - MinPayloadClassLog2));

    // Created on first use: an application uses a handful of sizes, and a pool is cheap to create.
    private readonly FrameBufferBucket?[] _buckets = new FrameBufferBucket?[ClassCount];
    private readonly int _retainedBytesPerClass;

    /// <summary>Creates a pool that keeps up to about <paramref name="retainedBytesPerClass"/> idle bytes per size class.</summary>
    public FrameBufferPool(int retainedBytesPerClass = DefaultRetainedBytesPerClass)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(retainedBytesPerClass);
        _retainedBytesPerClass = retainedBytesPerClass;
    }

    /// <summary>The largest array length this pool keeps.</summary>
    public static int MaxPooledLength => MaxPooledPayload + MessageHeader.Size;

    /// <summary>Idle arrays currently kept in the class that serves <paramref name="minimumLength"/>.</summary>
    public int IdleCount(int minimumLength)
    {
        var index = ClassIndex(minimumLength);
        return index < 0 ? 0 : _buckets[index]?.Count ?? 0;
    }

    /// <summary>The length of the array <see cref="Rent"/> returns for <paramref name="minimumLength"/>.</summary>
    public static int RentedLength(int minimumLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minimumLength);
        var index = ClassIndex(minimumLength);
        return index < 0 ? minimumLength : ClassLength(index);
    }

    /// <inheritdoc/>
    public override byte[] Rent(int minimumLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minimumLength);
        var index = ClassIndex(minimumLength);
        if (index < 0)
            return GC.AllocateUninitializedArray<byte>(minimumLength);
        var bucket = Bucket(index);

        // Pooled memory is undefined content anyway: skip zeroing a fresh array.
        return bucket.TryPop() ?? GC.AllocateUninitializedArray<byte>(bucket.Length);
    }

    /// <inheritdoc/>
    /// <remarks>An array of a length this pool never hands out is dropped, not kept.</remarks>
    public override void Return(byte[] array, bool clearArray = false)
    {
        ArgumentNullException.ThrowIfNull(array);
        var index = ClassIndex(array.Length);
        if (index < 0 || ClassLength(index) != array.Length)
            return;
        if (clearArray)
            Array.Clear(array);
        Bucket(index).TryPush(array);
    }

    private FrameBufferBucket Bucket(int index)
    {
        var bucket = Volatile.Read(ref _buckets[index]);
        if (bucket is not null)
            return bucket;
        var length = ClassLength(index);
        var created = new FrameBufferBucket(length, Math.Max(MinRetainedPerClass, _retainedBytesPerClass / length));
        return Interlocked.CompareExchange(ref _buckets[index], created, null) ?? created;
    }

    // The class whose arrays hold `length` bytes, or -1 when it is beyond the largest class.
    private static int ClassIndex(int length)
    {
        var payload = length - MessageHeader.Size;
        if (payload <= MinPayloadClass)
            return 0;
        if (payload > MaxPooledPayload)
            return -1;
        var last = (uint)(payload - 1);
        var log2 = BitOperations.Log2(last);
        var quarter = (int)(last >> (log2 - 2)) & (ClassesPerDoubling - 1);
        return ((log2 - MinPayloadClassLog2) * ClassesPerDoubling) + quarter + 1;
    }

    private static int ClassLength(int index)
    {
        if (index == 0)
            return MinPayloadClass + MessageHeader.Size;
        var log2 = MinPayloadClassLog2 + ((index - 1) / ClassesPerDoubling);
        var quarters = ((index - 1) % ClassesPerDoubling) + 1;
        return (1 << log2) + (quarters << (log2 - 2)) + MessageHeader.Size;
    }
}
