namespace Overlay.Runtime;

/// <summary>
/// One timer for every subscriber of a world that ticks with the same clock and period, so that a thousand
/// virtual nodes cost a few timer callbacks per period instead of a thousand. Subscribers are spread over
/// <see cref="Slots"/> slots fired one after another, so their work, and the frames it sends, is spread over the
/// period rather than all due at the same instant. A world's tickers are kept by its <see cref="SharedTickers"/>.
/// </summary>
internal sealed class SharedTicker
{
    /// <summary>How many groups a period is divided into; each subscriber belongs to one.</summary>
    public const int Slots = 8;

    private readonly SharedTickers _owner;
    private readonly (TimeProvider Time, TimeSpan Period) _key;
    private readonly Subscription[][] _slots = new Subscription[Slots][];
    private readonly ITimer _timer;
    private int _subscribers;
    private int _nextSlot;
    private int _assigned;

    internal SharedTicker(SharedTickers owner, (TimeProvider Time, TimeSpan Period) key)
    {
        _owner = owner;
        _key = key;
        for (var i = 0; i < Slots; i++)
            _slots[i] = [];
        _timer = key.Time.CreateTimer(static state => ((SharedTicker)state!).Tick(), this, key.Period / Slots, key.Period / Slots);
    }

    /// <summary>Adds a subscriber; the owner's lock is held.</summary>
    internal IDisposable Add(Action<object> callback, object state)
    {
        var subscription = new Subscription(this, _assigned++ % Slots, callback, state);
        _slots[subscription.Slot] = [.. _slots[subscription.Slot], subscription];
        _subscribers++;
        return subscription;
    }

    private void Tick()
    {
        var slot = (int)((uint)Interlocked.Increment(ref _nextSlot) % Slots);
        foreach (var subscription in Volatile.Read(ref _slots[slot]))
            subscription.Invoke();
    }

    private void Remove(Subscription subscription)
    {
        lock (_owner.Gate)
        {
            var slot = _slots[subscription.Slot];
            var index = Array.IndexOf(slot, subscription);
            if (index < 0)
                return;
            Volatile.Write(ref _slots[subscription.Slot], [.. slot[..index], .. slot[(index + 1)..]]);
            if (--_subscribers == 0)
            {
                _timer.Dispose();
                _owner.Forget(_key);
            }
        }
    }

    private sealed class Subscription(SharedTicker ticker, int slot, Action<object> callback, object state) : IDisposable
    {
        private int _disposed;

        public int Slot { get; } = slot;

        public void Invoke()
        {
            if (Volatile.Read(ref _disposed) == 0)
                callback(state);
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
                ticker.Remove(this);
        }
    }
}
