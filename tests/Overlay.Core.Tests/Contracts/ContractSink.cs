using Overlay.Transport;

namespace Overlay.Core.Tests.Contracts;

/// <summary>Checks frames as they arrive: sequence numbers in order, payloads as <see cref="SourceOptions.FillPattern"/> wrote them.</summary>
internal sealed class ContractSink : IFrameSink
{
    private int _received;

    public int Received => Volatile.Read(ref _received);

    public string? FirstError { get; private set; }

    public ValueTask OnMessageAsync(Message message)
    {
        if (FirstError is null && (message.SequenceNumber != _received || message.ApplicationId != message.PayloadLength || !SourceOptions.IsPattern(message)))
            FirstError = $"frame {_received}: sequence {message.SequenceNumber}, length {message.PayloadLength}, pattern {SourceOptions.IsPattern(message)}";
        message.Release();
        Interlocked.Increment(ref _received);
        return ValueTask.CompletedTask;
    }
}
