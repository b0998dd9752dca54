using Overlay.Transport;

namespace Overlay.Benchmarks;

/// <summary>Takes decoded messages and returns them to their pool at once, counting them.</summary>
internal sealed class ReleasingFrameSink : IFrameSink
{
    public long Messages { get; private set; }

    public ValueTask OnMessageAsync(Message message)
    {
        Messages++;
        message.Release();
        return ValueTask.CompletedTask;
    }
}
