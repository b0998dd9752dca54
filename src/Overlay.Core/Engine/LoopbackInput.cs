namespace Overlay.Engine;

/// <summary>Messages a node sends to itself: processed by the switch like any input, in order.</summary>
internal sealed class LoopbackInput : InputPort
{
    private readonly Queue<Message> _queue = new();

    public void Enqueue(Message message) => _queue.Enqueue(message);

    public override bool TryTake(out Message message) => _queue.TryDequeue(out message!);

    public void ReleaseAll()
    {
        while (_queue.TryDequeue(out var message))
            message.Release();
    }
}
