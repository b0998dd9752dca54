namespace Overlay.Emulation;

/// <summary>
/// A byte-rate token bucket computed from timestamps: tokens refill at <see cref="Rate"/> bytes per second up to
/// <see cref="Burst"/>, and a reservation may drive the bucket into debt, in which case the caller waits exactly
/// long enough to repay it. Thread-safe; an unlimited bucket costs one volatile read.
/// </summary>
/// <remarks>
/// Refill is elapsed time × rate rather than fixed amounts from a periodic timer, so timer jitter never turns
/// into rate error, and a large message is let through at once with the next one waiting for the deficit.
/// Over any interval of length t the bucket releases at most <c>Rate·t + Burst</c> bytes.
/// </remarks>
public sealed class TokenBucket
{
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private volatile bool _unlimited = true;
    private double _rate;
    private double _burst;
    private double _tokens;
    private long _stamp;
    private long _reservations;

    /// <summary>Creates an unlimited bucket.</summary>
    public TokenBucket(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _time = timeProvider;
        _stamp = timeProvider.GetTimestamp();
    }

    /// <summary>Creates a bucket with a rate and burst.</summary>
    public TokenBucket(TimeProvider timeProvider, double bytesPerSecond, double? burstBytes = null)
        : this(timeProvider)
    {
        SetRate(bytesPerSecond, burstBytes);
    }

    /// <summary>The rate in bytes per second; <see cref="double.PositiveInfinity"/> when unlimited.</summary>
    public double Rate
    {
        get
        {
            lock (_gate)
                return _unlimited ? double.PositiveInfinity : _rate;
        }
    }

    /// <summary>
    /// How many bytes may move in one slice of <paramref name="seconds"/> at this rate, never more than the burst;
    /// <see cref="double.PositiveInfinity"/> when unlimited. Senders and receivers pace in slices this fine.
    /// </summary>
    internal double SliceBytes(double seconds)
    {
        lock (_gate)
            return _unlimited ? double.PositiveInfinity : Math.Min(_burst, _rate * seconds);
    }

    /// <summary>The most bytes the bucket holds (and so lets through at once after an idle spell).</summary>
    public double Burst
    {
        get
        {
            lock (_gate)
                return _burst;
        }
    }

    /// <summary>Told of every change of rate or burst (a node's buckets share one), after it is in place.</summary>
    internal LimitChanges? Changes { get; init; }

    /// <summary>Reservations made while a limit was set (each takes the lock and reads the clock).</summary>
    internal long LimitedReservations => Interlocked.Read(ref _reservations);

    /// <summary>True when no limit is set.</summary>
    public bool IsUnlimited => _unlimited;

    /// <summary>The default burst for a rate: 50 ms worth of bytes, but at least 16 KiB so a few messages fit.</summary>
    /// <remarks>
    /// A sender that wakes up late loses the tokens that would have overflowed the bucket meanwhile; 50 ms covers
    /// the timer and thread-pool latency of a loaded machine, so the rate holds without making bursts noticeable.
    /// </remarks>
    public static double DefaultBurst(double bytesPerSecond) => Math.Max(16 * 1024, bytesPerSecond * 0.05);

    /// <summary>Sets the rate; null removes the limit. Takes effect at once.</summary>
    /// <param name="bytesPerSecond">The new rate: positive and finite, or null for no limit.</param>
    /// <param name="burstBytes">The bucket size: positive and finite; null picks <see cref="DefaultBurst"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">The rate or burst is zero, negative, NaN or infinite.</exception>
    /// <remarks>
    /// Zero or a negative rate is refused rather than read as "no limit": a caller who meant to block a link, or passed
    /// an uninitialised value, must not silently get an unlimited one.
    /// </remarks>
    public void SetRate(double? bytesPerSecond, double? burstBytes = null)
    {
        ValidateRate(bytesPerSecond, burstBytes);
        lock (_gate)
        {
            if (bytesPerSecond is not { } rate)
            {
                if (_unlimited)
                    return; // nothing changed: links need not rescan their buckets
                _unlimited = true;
                _tokens = 0;
            }
            else
            {
                var burst = burstBytes ?? DefaultBurst(rate);
                if (!_unlimited && rate == _rate && burst == _burst)
                    return;
                Refill(_time.GetTimestamp());
                var wasUnlimited = _unlimited;
                _rate = rate;
                _burst = burst;
                // A bucket that just got its limit starts full; a changed one keeps its debt but no more than a burst of credit.
                _tokens = wasUnlimited ? _burst : Math.Min(_tokens, _burst);
                _unlimited = false;
            }

            // After the change, and only for a real one: whoever sees the new count reads the new rate, and a count
            // that moves sends every link of the node to rescan its buckets under the node-wide lock.
            Changes?.Note();
        }
    }

    /// <summary>Throws unless <paramref name="bytesPerSecond"/> is null or a positive finite rate, and <paramref name="burstBytes"/> null or a positive finite size.</summary>
    /// <param name="bytesPerSecond">The rate to check.</param>
    /// <param name="burstBytes">The burst to check.</param>
    /// <param name="rateParamName">The name the exception gives a bad rate (a caller's own setting); null for "bytesPerSecond".</param>
    /// <exception cref="ArgumentOutOfRangeException">Either is zero, negative, NaN or infinite.</exception>
    public static void ValidateRate(double? bytesPerSecond, double? burstBytes = null, string? rateParamName = null)
    {
        if (bytesPerSecond is { } rate && !(rate > 0 && double.IsFinite(rate)))
        {
            throw new ArgumentOutOfRangeException(
                rateParamName ?? nameof(bytesPerSecond), rate, "A bandwidth limit is a positive, finite number of bytes per second; null removes the limit.");
        }

        if (burstBytes is { } burst && !(burst > 0 && double.IsFinite(burst)))
            throw new ArgumentOutOfRangeException(nameof(burstBytes), burst, "A burst is a positive, finite number of bytes; null picks the default.");
    }

    /// <summary>Takes <paramref name="bytes"/> now and says how long to wait before they may go.</summary>
    /// <returns>Zero when the bucket had the tokens; otherwise the time until the debt is repaid.</returns>
    public TimeSpan Reserve(long bytes)
    {
        if (_unlimited)
            return TimeSpan.Zero;
        lock (_gate)
        {
            if (_unlimited)
                return TimeSpan.Zero;
            _reservations++;
            Refill(_time.GetTimestamp());
            _tokens -= bytes;
            return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / _rate);
        }
    }

    private void Refill(long now)
    {
        var elapsed = _time.GetElapsedTime(_stamp, now).TotalSeconds;
        _stamp = now;
        if (elapsed > 0 && !_unlimited)
            _tokens = Math.Min(_burst, _tokens + (elapsed * _rate));
    }
}
