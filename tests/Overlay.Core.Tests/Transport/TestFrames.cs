using Overlay.Buffers;

namespace Overlay.Core.Tests.Transport;

/// <summary>Encoded data frames whose payload is the source pattern and whose application id is the payload length.</summary>
internal static class TestFrames
{
    public static Message New(MessagePool pool, int sequence, int payloadLength)
    {
        var message = pool.Rent(payloadLength);
        message.Type = MessageTypes.Data;
        message.Sender = new NodeId(0x7F000001, 9);
        message.ApplicationId = payloadLength;
        message.SequenceNumber = sequence;
        SourceOptions.FillPattern(message);
        message.EncodeHeader();
        return message;
    }

    /// <summary>True when <paramref name="message"/> is intact: the pattern, and the length its application id says.</summary>
    public static bool IsIntact(Message message) =>
        message.ApplicationId == message.PayloadLength && SourceOptions.IsPattern(message);
}
