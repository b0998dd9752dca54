using Overlay.Runtime;

namespace Overlay.Engine;

/// <summary>A reusable, allocation-free async delay for one I/O loop (one waiter at a time).</summary>
internal sealed class LinkTimer : IDisposable
{
    private readonly AsyncSignal _signal;
    private readonly ITimer _timer;

    public LinkTimer(TimeProvider timeProvider, OverlayScheduler? scheduler = null)
    {
        _signal = new AsyncSignal(scheduler);
        _timer = timeProvider.CreateTimer(static state => ((AsyncSignal)state!).Set(), _signal, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Completes after <paramref name="delay"/> or when <see cref="Interrupt"/> is called, whichever is first.</summary>
    public ValueTask WaitAsync(TimeSpan delay)
    {
        _timer.Change(delay, Timeout.InfiniteTimeSpan);
        return _signal.WaitAsync();
    }

    /// <summary>Ends the current wait early (the link is closing).</summary>
    public void Interrupt() => _signal.Set();

    public void Dispose() => _timer.Dispose();
}
