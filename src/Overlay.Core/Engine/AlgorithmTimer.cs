namespace Overlay.Engine;

/// <summary>A periodic algorithm callback: the timer thread only posts into the node's inbox; the callback runs on the loop.</summary>
internal sealed class AlgorithmTimer : IDisposable
{
    private readonly OverlayNode _node;
    private readonly Action _callback;
    private ITimer? _timer;
    private volatile bool _active = true;

    public AlgorithmTimer(OverlayNode node, Action callback)
    {
        _node = node;
        _callback = callback;
    }

    public bool IsActive => _active;

    public void Start(TimeSpan dueTime, TimeSpan period) =>
        _timer = _node.TimeProvider.CreateTimer(
            static state =>
            {
                var self = (AlgorithmTimer)state!;
                if (self._active)
                    self._node.Post(new NodeEvent(NodeEventKind.TimerFired, self));
            },
            this,
            dueTime,
            period);

    public void Invoke() => _callback();

    public void Dispose()
    {
        _active = false;
        _timer?.Dispose();
    }
}
