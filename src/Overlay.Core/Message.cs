using System.Diagnostics;
using Overlay.Buffers;
using Overlay.Wire;

namespace Overlay;

/// <summary>
/// A pooled, reference-counted overlay message: the 24-byte header fields plus a payload.
/// </summary>
/// <remarks>
/// <para>The header and payload share one pooled buffer laid out exactly as on the wire, so a message is
/// received with one copy and written with none. Fan-out to k destinations takes k references; the last
/// <see cref="Release"/> returns the buffer and this object to its <see cref="MessagePool"/>.</para>
/// <para>The engine owns every message it hands to an algorithm. An algorithm calls <see cref="Release"/> only for a
/// message it kept by returning <see cref="Disposition.Hold"/> (or one it retained itself).</para>
/// <para>Header fields are shared by every holder of the message: change them before the first send,
/// or <see cref="Clone"/> first.</para>
/// </remarks>
public sealed class Message
{
    private byte[] _buffer = [];
    private int _refCount;
    private int _generation;

    internal Message(MessagePool pool)
    {
        Pool = pool;
    }

    /// <summary>The pool this message returns to.</summary>
    public MessagePool Pool { get; }

    /// <summary>The message type (see <see cref="MessageTypes"/>).</summary>
    public int Type { get; set; }

    /// <summary>The node that created the message (the header's original sender).</summary>
    public NodeId Sender { get; set; }

    /// <summary>The application (session) the message belongs to.</summary>
    public int ApplicationId { get; set; }

    /// <summary>The sequence number; algorithms may change it.</summary>
    public int SequenceNumber { get; set; }

    /// <summary>The neighbour this message arrived from, or this node for a locally created message. Not on the wire.</summary>
    public NodeId From { get; internal set; }

    /// <summary>Payload length in bytes.</summary>
    public int PayloadLength { get; private set; }

    /// <summary>The payload bytes.</summary>
    public Span<byte> Payload
    {
        get
        {
            CheckLive();
            return _buffer.AsSpan(MessageHeader.Size, PayloadLength);
        }
    }

    /// <summary>The payload bytes as memory.</summary>
    public Memory<byte> PayloadMemory
    {
        get
        {
            CheckLive();
            return _buffer.AsMemory(MessageHeader.Size, PayloadLength);
        }
    }

    /// <summary>The header fields as a value.</summary>
    public MessageHeader Header => new(Type, Sender, ApplicationId, SequenceNumber, PayloadLength);

    /// <summary>Current number of references; zero once the message is back in its pool.</summary>
    public int ReferenceCount => Volatile.Read(ref _refCount);

    /// <summary>Bumped every time the message returns to the pool, so a stale holder can be told apart.</summary>
    public int Generation => Volatile.Read(ref _generation);

    /// <summary>The buffer holding header and payload; only the first <see cref="FrameLength"/> bytes are meaningful.</summary>
    internal byte[] Buffer => _buffer;

    /// <summary>Header plus payload length: the bytes this message occupies on the wire.</summary>
    internal int FrameLength => MessageHeader.Size + PayloadLength;

    /// <summary>Takes one more reference.</summary>
    /// <returns>This message, for chaining.</returns>
    public Message Retain()
    {
        var count = Interlocked.Increment(ref _refCount);
        if (count <= 1)
        {
            // Retaining a message that already went back to the pool would resurrect a recycled buffer.
            Interlocked.Decrement(ref _refCount);
            throw new InvalidOperationException("Retain called on a message that was already released.");
        }

        return this;
    }

    /// <summary>Takes <paramref name="count"/> more references at once (fan-out).</summary>
    public void Retain(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count == 0)
            return;
        var result = Interlocked.Add(ref _refCount, count);
        if (result <= count)
        {
            Interlocked.Add(ref _refCount, -count);
            throw new InvalidOperationException("Retain called on a message that was already released.");
        }
    }

    /// <summary>Drops one reference; the last one returns the message to its pool.</summary>
    /// <remarks>A release beyond the last is a double release: it throws in debug builds and is counted in
    /// <see cref="MessagePool.DoubleReleases"/> in release builds, and never returns the message twice.</remarks>
    public void Release()
    {
        var count = Interlocked.Decrement(ref _refCount);
        if (count == 0)
        {
            Interlocked.Increment(ref _generation);
            Pool.Return(this);
        }
        else if (count < 0)
        {
            Interlocked.Increment(ref _refCount);
            Pool.CountDoubleRelease();
            ThrowDoubleReleaseInDebug();
        }
    }

    /// <summary>A deep copy from the same pool, with one reference owned by the caller.</summary>
    public Message Clone()
    {
        CheckLive();
        var copy = Pool.Rent(PayloadLength);
        copy.Type = Type;
        copy.Sender = Sender;
        copy.ApplicationId = ApplicationId;
        copy.SequenceNumber = SequenceNumber;
        copy.From = From;
        Payload.CopyTo(copy.Payload);
        return copy;
    }

    /// <summary>Writes the header fields into the buffer so the frame can be sent as it is.</summary>
    internal void EncodeHeader() => Header.Write(_buffer);

    internal void Initialize(byte[] buffer, int payloadLength)
    {
        _buffer = buffer;
        PayloadLength = payloadLength;
        Type = 0;
        Sender = default;
        ApplicationId = 0;
        SequenceNumber = 0;
        From = default;
        Volatile.Write(ref _refCount, 1);
    }

    internal byte[] Detach()
    {
        var buffer = _buffer;
        _buffer = [];
        PayloadLength = 0;
        return buffer;
    }

    private void CheckLive()
    {
        if (Volatile.Read(ref _refCount) <= 0)
            throw new InvalidOperationException("The message was released and may already belong to another holder.");
    }

    [Conditional("DEBUG")]
    private static void ThrowDoubleReleaseInDebug() =>
        throw new InvalidOperationException("Message released more times than it was retained.");
}
