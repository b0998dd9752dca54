namespace Overlay.Runtime;

/// <summary>A world's <see cref="SharedTicker"/>s, one per clock and period; another world has its own.</summary>
internal sealed class SharedTickers
{
    private readonly Dictionary<(TimeProvider Time, TimeSpan Period), SharedTicker> _tickers = [];

    internal Lock Gate { get; } = new();

    /// <summary>How many tickers (timers) this world runs now.</summary>
    public int Count
    {
        get
        {
            lock (Gate)
                return _tickers.Count;
        }
    }

    /// <summary>Calls <paramref name="callback"/> with <paramref name="state"/> once every <paramref name="period"/> of <paramref name="time"/>, on a timer thread, until disposed.</summary>
    public IDisposable Subscribe(TimeProvider time, TimeSpan period, Action<object> callback, object state)
    {
        lock (Gate)
        {
            if (!_tickers.TryGetValue((time, period), out var ticker))
            {
                ticker = new SharedTicker(this, (time, period));
                _tickers.Add((time, period), ticker);
            }

            return ticker.Add(callback, state);
        }
    }

    /// <summary>Drops a ticker whose last subscriber left; the lock is held.</summary>
    internal void Forget((TimeProvider Time, TimeSpan Period) key) => _tickers.Remove(key);
}
