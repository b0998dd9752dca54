using Overlay.Wire;

namespace Overlay.Engine;

/// <summary>
/// Why a link closed: the first cause found wins. Whoever finds one first — the liveness checker (silence), a reader
/// (a malformed frame), the I/O loop — records it; later causes, above all the failures the first one's abort sets
/// off, do not overwrite it. Both directions of a link use it, so a closed link counts the same reason either way.
/// </summary>
internal sealed class CloseCause
{
    private int _reason;
    private Exception? _exception;

    /// <summary>The first reason recorded, or <see cref="WireError.None"/>.</summary>
    public WireError Reason => (WireError)Volatile.Read(ref _reason);

    /// <summary>The first exception recorded, if any.</summary>
    public Exception? Exception => Volatile.Read(ref _exception);

    /// <summary>Records a cause unless an earlier one was recorded (reason and exception each keep their first). Any thread.</summary>
    public void Note(WireError reason, Exception? exception)
    {
        if (exception is not null)
            Interlocked.CompareExchange(ref _exception, exception, null);
        if (reason != WireError.None)
            Interlocked.CompareExchange(ref _reason, (int)reason, (int)WireError.None);
    }

    /// <summary>Records the reason an exception carries (a malformed frame's error, else none) and the exception.</summary>
    public void Note(Exception exception) =>
        Note(exception is WireFormatException wire ? wire.Error : WireError.None, exception);
}
