using Overlay.Transport;

namespace Overlay.Core.Tests.Support;

/// <summary>Keeps every decoded message (with its reference) for inspection.</summary>
internal sealed class CollectingSink : IFrameSink
{
    public List<Message> Messages { get; } = [];

    public ValueTask OnMessageAsync(Message message)
    {
        Messages.Add(message);
        return ValueTask.CompletedTask;
    }

    public void ReleaseAll()
    {
        foreach (var message in Messages)
            message.Release();
        Messages.Clear();
    }
}
