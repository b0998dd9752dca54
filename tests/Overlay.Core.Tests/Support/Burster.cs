namespace Overlay.Core.Tests.Support;

/// <summary>
/// A relay that can also send a burst of numbered, pattern-filled data messages on demand (from
/// <see cref="OverlayNode.InvokeAsync"/>), and counts the engine notifications it gets.
/// </summary>
internal sealed class Burster : RelayAlgorithm
{
    private int _next;

    /// <summary>Sends <paramref name="count"/> data messages of application 1 to <paramref name="destination"/>, numbered on from the last burst.</summary>
    public void SendBurst(NodeId destination, int count, int payloadLength)
    {
        for (var i = 0; i < count; i++)
        {
            var message = CreateMessage(MessageTypes.Data, 1, payloadLength);
            message.SequenceNumber = _next++;
            SourceOptions.FillPattern(message);
            Send(message, destination);
        }
    }
}
