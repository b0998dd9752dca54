using System.Buffers.Binary;
using NUnit.Framework;

namespace Overlay.Core.Tests.Engine;

/// <summary>SourceOptions.Fill writes each message's payload instead of the built-in pattern.</summary>
[Category("Integration")]
public class SourceFillTests
{
    [Test, CancelAfter(30_000)]
    public async Task Fill_WritesEveryPayload_AndTheReceiverGetsThoseBytes()
    {
        await using var overlay = new TestOverlay();
        var sender = new RelayAlgorithm();
        var a = await overlay.AddAsync(sender);
        var receiver = new PayloadReader();
        var b = await overlay.AddAsync(receiver);
        sender.Children.Add(b.Id);
        await a.DeploySourceAsync(3, new SourceOptions
        {
            PayloadLength = 16,
            MessageLimit = 100,
            Fill = m =>
            {
                BinaryPrimitives.WriteInt64BigEndian(m.Payload, m.SequenceNumber * 1000L);
                BinaryPrimitives.WriteInt64BigEndian(m.Payload[8..], 0x0123456789ABCDEF);
            },
        });
        Assert.That(await Eventually.TrueAsync(() => receiver.Payloads.Count == 100, TimeSpan.FromSeconds(20)), Is.True);
        Assert.That(receiver.Payloads, Is.EqualTo(Enumerable.Range(0, 100).Select(i => (i, i * 1000L, 0x0123456789ABCDEF, false))));
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    private sealed class PayloadReader : Algorithm
    {
        private readonly List<(int, long, long, bool)> _payloads = [];

        public List<(int Sequence, long First, long Second, bool Pattern)> Payloads
        {
            get
            {
                lock (_payloads)
                    return [.. _payloads];
            }
        }

        public override Disposition Process(Message message)
        {
            if (message.Type != MessageTypes.Data)
                return base.Process(message);
            lock (_payloads)
            {
                _payloads.Add((
                    message.SequenceNumber,
                    BinaryPrimitives.ReadInt64BigEndian(message.Payload),
                    BinaryPrimitives.ReadInt64BigEndian(message.Payload[8..]),
                    SourceOptions.IsPattern(message)));
            }

            return Disposition.Consumed;
        }
    }
}
