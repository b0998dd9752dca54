using NUnit.Framework;
using Overlay.Algorithms.Coding;

namespace Overlay.Algorithms.Tests.Coding;

/// <summary>Malformed coded messages are counted and dropped; the node carries on.</summary>
[Category("Integration")]
public class CodingBadInputTests
{
    [Test, CancelAfter(30_000)]
    public async Task MalformedCodedMessages_AreDroppedAndCounted_TheNodeKeepsWorking()
    {
        await using var overlay = new TestOverlay();
        var butterfly = new ButterflyCodingAlgorithm(ButterflyRole.Decoder);
        var rlnc = new RlncAlgorithm(RlncRole.Receiver, new RlncOptions { GenerationSize = 4 });
        var sender = new JunkSender();
        var senderNode = await overlay.AddAsync(sender);
        var butterflyNode = await overlay.AddAsync(butterfly);
        var rlncNode = await overlay.AddAsync(rlnc);

        await senderNode.InvokeAsync(() =>
        {
            sender.SendJunk(butterflyNode.Id, CodingMessageTypes.ButterflyCoded, 3);        // shorter than the header
            sender.SendJunk(butterflyNode.Id, CodingMessageTypes.ButterflyCoded, 100);      // lengths do not fit
            sender.SendJunk(rlncNode.Id, CodingMessageTypes.RlncCoded, 5);                  // truncated header
            sender.SendJunk(rlncNode.Id, CodingMessageTypes.RlncCoded, 100);                // generation size 0
            sender.SendRlnc(rlncNode.Id, generationSize: 8, symbolLength: 16);              // another generation size
            sender.SendRlnc(rlncNode.Id, generationSize: 4, symbolLength: 16);              // well formed: innovative
        });

        Assert.That(
            await Eventually.TrueAsync(() => butterfly.MalformedMessages == 2 && rlnc.MalformedPackets == 3 && rlnc.InnovativePackets == 1, TimeSpan.FromSeconds(10)),
            Is.True,
            $"butterfly malformed {butterfly.MalformedMessages}, RLNC malformed {rlnc.MalformedPackets}, innovative {rlnc.InnovativePackets}");
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    private sealed class JunkSender : Algorithm
    {
        public void SendJunk(NodeId to, int type, int length)
        {
            var message = CreateMessage(type, 1, length);
            message.Payload.Clear();
            Send(message, to);
        }

        public void SendRlnc(NodeId to, int generationSize, int symbolLength)
        {
            var header = new RlncPacketHeader(0, generationSize);
            var message = CreateMessage(CodingMessageTypes.RlncCoded, 1, header.PayloadLength(symbolLength));
            message.Payload.Fill(1);
            header.Write(message.Payload);
            Send(message, to);
        }
    }
}
