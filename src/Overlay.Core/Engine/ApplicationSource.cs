namespace Overlay.Engine;

/// <summary>
/// A local data source: an input that always has a next message, so it produces exactly as fast as the
/// outbound buffers accept — it stalls like any input when they are full, which is what keeps it from spinning.
/// </summary>
internal sealed class ApplicationSource : InputPort
{
    private readonly OverlayNode _node;
    private readonly SourceOptions _options;
    private long _produced;
    private long _resumeAt;

    public ApplicationSource(OverlayNode node, int applicationId, SourceOptions options)
    {
        _node = node;
        ApplicationId = applicationId;
        _options = options;
    }

    public int ApplicationId { get; }

    public long Produced => Volatile.Read(ref _produced);

    public bool IsExhausted => _options.MessageLimit is { } limit && _produced >= limit;


    public void PauseUntil(long timestamp) => _resumeAt = timestamp;

    public override void OnDispatched()
    {
        if (IsExhausted)
            _node.OnSourceFinished(this);
    }

    public override bool TryTake(out Message message)
    {
        if (IsExhausted)
        {
            message = null!;
            return false;
        }

        if (_resumeAt != 0)
        {
            var wait = _node.TimeProvider.GetElapsedTime(_node.TimeProvider.GetTimestamp(), _resumeAt);
            if (wait > TimeSpan.Zero)
            {
                // Timers may fire a little early: ask again for the rest of the pause.
                _node.WakeAfter(wait);
                message = null!;
                return false;
            }
        }

        _resumeAt = 0;
        message = _node.Pool.Rent(_options.PayloadLength);
        message.Type = MessageTypes.Data;
        message.Sender = _node.Id;
        message.From = _node.Id;
        message.ApplicationId = ApplicationId;
        message.SequenceNumber = unchecked((int)_produced);
        Volatile.Write(ref _produced, _produced + 1);
        try
        {
            if (_options.Fill is { } fill)
                fill(message);
            else
                SourceOptions.FillPattern(message);
        }
        catch
        {
            // A failing fill fails the node (see OverlayNode.FailSwitch); the message it was given goes back first.
            message.Release();
            throw;
        }

        return true;
    }
}
