using System.Buffers.Binary;
using System.Diagnostics;
using NUnit.Framework;
using Overlay.Emulation;

namespace Overlay.Core.Tests.Emulation;

/// <summary>Jitter varies each message's delay; only with <see cref="LinkConditions.AllowReordering"/> may it reorder them.</summary>
[Category("Integration")]
public class LinkConditionsJitterTests
{
    private const int Count = 2000;
    private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan Jitter = TimeSpan.FromMilliseconds(15);

    [Test, CancelAfter(60_000)]
    public async Task Jitter_WithoutReordering_KeepsOrder_AndNeverDeliversEarly()
    {
        var (arrivals, delays) = await RunAsync(new LinkConditions { Delay = Delay, Jitter = Jitter });
        Assert.That(arrivals, Is.EqualTo(Enumerable.Range(0, Count)), "jitter without reordering kept the order");
        Assert.That(delays.Min(), Is.GreaterThanOrEqualTo((Delay - Jitter).TotalMilliseconds - 1), "no message left before delay − jitter");
    }

    [Test, CancelAfter(60_000)]
    public async Task Jitter_WithReordering_ReordersMessages_AndLosesNone()
    {
        var (arrivals, delays) = await RunAsync(new LinkConditions { Delay = Delay, Jitter = Jitter, AllowReordering = true });
        var inversions = arrivals.Zip(arrivals.Skip(1)).Count(p => p.Second < p.First);
        TestContext.Out.WriteLine($"{inversions} of {Count} arrivals came before a message sent earlier");
        Assert.That(arrivals.Order(), Is.EqualTo(Enumerable.Range(0, Count)), "every message arrived once");
        // The source sends far faster than one message per 30 ms (the jitter's span), so reordering is the rule.
        Assert.That(inversions, Is.GreaterThan(Count / 20));
        Assert.That(delays.Min(), Is.GreaterThanOrEqualTo((Delay - Jitter).TotalMilliseconds - 1), "no message left before delay − jitter");
    }

    [Test, CancelAfter(60_000)]
    public async Task ReorderingAllowed_WithoutJitter_KeepsOrder()
    {
        var (arrivals, _) = await RunAsync(new LinkConditions { Delay = Delay, AllowReordering = true });
        Assert.That(arrivals, Is.EqualTo(Enumerable.Range(0, Count)), "a fixed delay cannot reorder");
    }

    /// <summary>Sends <see cref="Count"/> time-stamped messages over a link with <paramref name="conditions"/>.</summary>
    /// <returns>Sequence numbers in arrival order, and each message's time from production to arrival in ms.</returns>
    private static async Task<(List<int> Arrivals, List<double> Delays)> RunAsync(LinkConditions conditions)
    {
        await using var overlay = new TestOverlay();
        var sender = new RelayAlgorithm();
        var a = await overlay.AddAsync(sender, o => o.EmulationSeed = 3);
        var receiver = new StampReader();
        var b = await overlay.AddAsync(receiver);
        a.SetLinkConditions(b.Id, conditions);
        sender.Children.Add(b.Id);
        await a.DeploySourceAsync(1, new SourceOptions
        {
            PayloadLength = 64,
            MessageLimit = Count,
            Fill = m => BinaryPrimitives.WriteInt64LittleEndian(m.Payload, Stopwatch.GetTimestamp()),
        });
        Assert.That(await Eventually.TrueAsync(() => receiver.Count >= Count, TimeSpan.FromSeconds(30)), Is.True, $"{receiver.Count} of {Count} arrived");
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
        return receiver.Snapshot();
    }

    /// <summary>Records each data message's sequence number and how long ago its producer stamped it.</summary>
    private sealed class StampReader : Algorithm
    {
        private readonly List<int> _arrivals = [];
        private readonly List<double> _delays = [];

        public int Count
        {
            get
            {
                lock (_arrivals)
                    return _arrivals.Count;
            }
        }

        public (List<int>, List<double>) Snapshot()
        {
            lock (_arrivals)
                return ([.. _arrivals], [.. _delays]);
        }

        public override Disposition Process(Message message)
        {
            if (message.Type != MessageTypes.Data)
                return base.Process(message);
            var delay = Stopwatch.GetElapsedTime(BinaryPrimitives.ReadInt64LittleEndian(message.Payload)).TotalMilliseconds;
            lock (_arrivals)
            {
                _arrivals.Add(message.SequenceNumber);
                _delays.Add(delay);
            }

            return Disposition.Consumed;
        }
    }
}
