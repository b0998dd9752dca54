using System.Globalization;

namespace Overlay.Modules;

/// <summary>
/// A contiguous block of message type numbers, <see cref="First"/> to <see cref="Last"/> inclusive, that a
/// <see cref="ProtocolModule"/> owns in its <see cref="ProtocolStack"/>.
/// </summary>
/// <remarks>
/// Module types are positive and below <see cref="MessageTypes.EngineReservedStart"/>; a stack refuses a range that
/// reaches into the engine's types or into another module's (see <see cref="ProtocolStack"/>).
/// </remarks>
public readonly struct MessageTypeRange : IEquatable<MessageTypeRange>
{
    /// <summary>The types <paramref name="first"/> to <paramref name="last"/>, both included.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="first"/> is below 1, or <paramref name="last"/> below <paramref name="first"/>.</exception>
    public MessageTypeRange(int first, int last)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(first, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(last, first);
        First = first;
        Last = last;
    }

    /// <summary>The first type of the range.</summary>
    public int First { get; }

    /// <summary>The last type of the range (included).</summary>
    public int Last { get; }

    /// <summary>How many types the range holds.</summary>
    public long Count => (long)Last - First + 1;

    /// <summary>A range of one type.</summary>
    public static MessageTypeRange Single(int type) => new(type, type);

    /// <summary>The <paramref name="count"/> types from <paramref name="first"/> on.</summary>
    public static MessageTypeRange FromCount(int first, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return new MessageTypeRange(first, checked(first + count - 1));
    }

    /// <summary>True when <paramref name="type"/> is in the range.</summary>
    public bool Contains(int type) => type >= First && type <= Last;

    /// <summary>True when the two ranges share at least one type.</summary>
    public bool Overlaps(MessageTypeRange other) => First <= other.Last && other.First <= Last;

    /// <inheritdoc/>
    public bool Equals(MessageTypeRange other) => First == other.First && Last == other.Last;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is MessageTypeRange other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(First, Last);

    /// <summary>"16..31", or "16" for a single type; engine-range numbers in hexadecimal.</summary>
    public override string ToString() => First == Last ? Format(First) : Format(First) + ".." + Format(Last);

    /// <summary>Equal ranges.</summary>
    public static bool operator ==(MessageTypeRange left, MessageTypeRange right) => left.Equals(right);

    /// <summary>Different ranges.</summary>
    public static bool operator !=(MessageTypeRange left, MessageTypeRange right) => !left.Equals(right);

    // Engine types are defined as offsets from 0x7F000000, so they read best in hexadecimal.
    internal static string Format(int type) =>
        MessageTypes.IsEngineReserved(type) ? "0x" + type.ToString("X", CultureInfo.InvariantCulture) : type.ToString(CultureInfo.InvariantCulture);
}
