namespace Overlay.Emulation;

/// <summary>
/// A byte-rate token bucket computed from timestamps: tokens refill at <see cref="Rate"/> bytes per second up to
/// <see cref="Burst"/>, and a reservation may drive the bucket into debt, in which case the caller waits exactly
/// long enough to repay it. Thread-safe; an unlimited bucket costs one volatile read.
/// </summary>
/// <remarks>
/// <para>Refill is elapsed time × rate rather than fixed amounts from a periodic timer, so timer jitter never turns
/// into rate error, and a large message is let through at once with the next one waiting for the deficit.
/// Over any interval of length t the bucket releases at most <c>Rate·t + Burst</c> bytes.</para>
/// <para><b>Weighted shares.</b> Users that compete for one bucket (the upstream links of a node, for its download and
/// total budgets) may each reserve through a share with a weight (<c>AddShare</c>); plain <see cref="Reserve(long)"/>
/// calls together are one more share of weight 1. The bucket keeps one credit (tokens, at most the burst) and a debt
/// per share. A reservation takes what credit there is and adds the rest to its share's debt. Refill first repays
/// debts, by weighted water-filling: every share in debt is repaid in proportion to its weight, a share whose debt
/// reaches zero drops out and its part goes to the others in the same refill; only when no share is in debt does
/// refill become credit. That is generalised processor sharing of the rate among the shares that are backlogged
/// (in debt): two backlogged shares of weights 1 and 3 get a quarter and three quarters of the rate, and a share that
/// stops reserving leaves its part to the others at once (work-conserving). The wait a reservation returns is the time
/// until its share's debt is repaid if no other share's debt grows meanwhile: Σ over shares in debt of
/// min(debt, weight × this share's debt ÷ its weight), divided by the rate. When others do reserve meanwhile, the share
/// wakes with a debt left, which is added to its next wait, so errors of the estimate do not add up. For the same
/// reason a share in debt beside others is woken 20 ms of its part early, still owing that much, so that the moment
/// its user takes to reserve again does not count as idle (which would hand its part to the others every time).</para>
/// <para>A reservation costs one lock and a pass over the shares in debt (only while a limit is set); refill passes
/// over them once per share that finishes in it.</para>
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

    // Every share of this bucket; the first one is the plain Reserve calls'. Touched under _gate only.
    private readonly List<BucketShare> _shares = [];
    private readonly BucketShare _plain;

    // How many shares are in debt: none is the common case, in which refill is one addition.
    private int _inDebt;

    /// <summary>Creates an unlimited bucket.</summary>
    public TokenBucket(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _time = timeProvider;
        _stamp = timeProvider.GetTimestamp();
        _plain = new BucketShare(1) { IsRegistered = true };
        _shares.Add(_plain);
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
                ClearDebts();
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
                // A bucket that just got its limit starts full; a changed one keeps its debts but no more than a burst of credit.
                _tokens = wasUnlimited ? _burst : Math.Min(_tokens, _burst);
                if (wasUnlimited)
                    ClearDebts();
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
    /// <remarks>Plain reservations all count as one share of weight 1 (see the class remarks).</remarks>
    public TimeSpan Reserve(long bytes) => Reserve(bytes, _plain);

    /// <summary>Takes <paramref name="bytes"/> now for <paramref name="share"/> and says how long to wait before they may go.</summary>
    /// <returns>Zero when the bucket had the credit; otherwise the time until the share's debt is repaid at its weighted part of the rate.</returns>
    internal TimeSpan Reserve(long bytes, BucketShare share)
    {
        if (_unlimited)
            return TimeSpan.Zero;
        lock (_gate)
        {
            if (_unlimited)
                return TimeSpan.Zero;
            _reservations++;
            Refill(_time.GetTimestamp());
            // Credit exists only while no share is in debt, so taking it first is fair.
            var fromCredit = Math.Min(_tokens, bytes);
            _tokens -= fromCredit;
            var owed = bytes - fromCredit;
            if (owed <= 0)
                return TimeSpan.Zero;
            if (!share.IsRegistered)
                share = _plain; // a share taken away while its user still ran: plain, rather than untracked
            if (share.Debt == 0)
                _inDebt++;
            share.Debt += owed;
            return TimeSpan.FromSeconds(ServedBefore(share) / _rate);
        }
    }

    /// <summary>A share of this bucket with <paramref name="weight"/>; give it back with <see cref="RemoveShare"/>.</summary>
    internal BucketShare AddShare(int weight)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(weight, 1);
        var share = new BucketShare(weight);
        lock (_gate)
        {
            share.IsRegistered = true;
            _shares.Add(share);
        }

        return share;
    }

    /// <summary>Takes a share away; what it owed is forgiven (its user has gone), so the others get its part at once.</summary>
    internal void RemoveShare(BucketShare share)
    {
        lock (_gate)
        {
            if (!share.IsRegistered)
                return;
            Refill(_time.GetTimestamp());
            share.IsRegistered = false;
            if (share.Debt > 0)
                _inDebt--;
            share.Debt = 0;
            _shares.Remove(share);
        }
    }

    /// <summary>Changes a share's weight; debts are repaid at the old weights up to now, at the new one from now on.</summary>
    internal void SetShareWeight(BucketShare share, int weight)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(weight, 1);
        lock (_gate)
        {
            Refill(_time.GetTimestamp());
            share.Weight = weight;
        }
    }

    /// <summary>
    /// Bytes of service before <paramref name="share"/>'s debt is down to its lead (nothing when it is alone in debt),
    /// if no debt grows meanwhile.
    /// </summary>
    private double ServedBefore(BucketShare share)
    {
        // Water-filling reaches this share's debt at level debt / weight; by then each share in debt was repaid
        // its weight times that level, or all it owed. While others are in debt too, the share is woken LeadSeconds
        // of its part early, still owing that much: a receive loop takes a moment to read and reserve again, and a
        // share out of debt in that moment would hand its part to the others each time — a bias towards equal
        // shares. Waking early gains it nothing: what it still owes is added to its next wait.
        var weights = 0.0;
        var others = false;
        foreach (var other in _shares)
        {
            if (other.Debt > 0)
            {
                weights += other.Weight;
                others |= other != share;
            }
        }

        var level = share.Debt / share.Weight;
        if (others)
            level -= LeadSeconds * _rate / weights;
        if (level <= 0)
            return 0;
        var served = 0.0;
        foreach (var other in _shares)
        {
            if (other.Debt > 0)
                served += Math.Min(other.Debt, other.Weight * level);
        }

        return served;
    }

    private void Refill(long now)
    {
        var elapsed = _time.GetElapsedTime(_stamp, now).TotalSeconds;
        _stamp = now;
        if (elapsed <= 0 || _unlimited)
            return;
        var supply = elapsed * _rate;
        if (_inDebt > 0)
            supply = RepayDebts(supply);
        if (supply > 0)
            _tokens = Math.Min(_burst, _tokens + supply);
    }

    /// <summary>Weighted water-filling of <paramref name="supply"/> bytes over the shares in debt; returns what is left.</summary>
    private double RepayDebts(double supply)
    {
        while (supply > 0 && _inDebt > 0)
        {
            // The lowest debt per weight finishes first: repay everyone up to that level, or as far as supply goes.
            var weights = 0.0;
            var level = double.PositiveInfinity;
            BucketShare? first = null;
            foreach (var share in _shares)
            {
                if (share.Debt <= 0)
                    continue;
                weights += share.Weight;
                var own = share.Debt / share.Weight;
                if (own < level)
                {
                    level = own;
                    first = share;
                }
            }

            if (first is null)
            {
                _inDebt = 0; // nobody owes after all
                break;
            }

            var step = Math.Min(level, supply / weights);
            foreach (var share in _shares)
            {
                if (share.Debt <= 0)
                    continue;
                share.Debt -= step * share.Weight;
                // The share that set the level is done exactly; others within rounding of it too.
                if ((share == first && step == level) || share.Debt < DebtEpsilon)
                {
                    share.Debt = 0;
                    _inDebt--;
                }
            }

            supply -= step * weights;
        }

        return _inDebt > 0 ? 0 : supply;
    }

    private void ClearDebts()
    {
        foreach (var share in _shares)
            share.Debt = 0;
        _inDebt = 0;
    }

    // How early a share in debt beside others is woken (see ServedBefore): more than a loaded machine's usual delay
    // between a receive loop's wake-up and its next reservation, far less than a grant slice.
    private const double LeadSeconds = 0.02;

    // A debt this small (a millionth of a byte) is rounding, not a debt.
    private const double DebtEpsilon = 1e-6;
}
