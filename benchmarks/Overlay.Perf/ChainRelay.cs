namespace Overlay.Perf;

/// <summary>
/// One node of a chain: forwards every data message to the next node, or counts it when it is the last one.
/// </summary>
internal sealed class ChainRelay(NodeId? next, ThroughputCounter delivered) : Algorithm
{
    public override Disposition Process(Message message)
    {
        if (message.Type != MessageTypes.Data)
            return base.Process(message);
        if (next is { } destination)
        {
            Send(message, destination);
            return Disposition.Forwarded;
        }

        delivered.Add(1, message.PayloadLength);
        return Disposition.Consumed;
    }
}
