using NUnit.Framework;

namespace Overlay.Core.Tests.Engine;

/// <summary>Send to self, one-shot and cancelled timers, and terminating a source as the algorithm sees them.</summary>
[Category("Integration")]
public class AlgorithmApiTests
{
    [Test, CancelAfter(30_000)]
    public async Task SendToSelf_ComesBackThroughProcess_Once_WithoutOpeningALink()
    {
        await using var overlay = new TestOverlay();
        var probe = new Probe();
        var a = await overlay.AddAsync(probe);
        await a.InvokeAsync(() => probe.SendToSelf(42, 300));
        Assert.That(await Eventually.TrueAsync(() => probe.Data.Count == 1, TimeSpan.FromSeconds(10)), Is.True);
        // A later message through the same path proves the first one is not coming again.
        await a.InvokeAsync(() => probe.SendToSelf(43, 10));
        Assert.That(await Eventually.TrueAsync(() => probe.Data.Count == 2, TimeSpan.FromSeconds(10)), Is.True);
        Assert.That(probe.Data, Is.EqualTo(new[] { (42, a.Id, 300, true), (43, a.Id, 10, true) }), "sequence, from, length, payload intact");
        var statistics = a.GetStatistics();
        Assert.That(statistics.Downstreams, Is.Empty, "no link to itself");
        Assert.That(statistics.Upstreams, Is.Empty);
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(30_000)]
    public async Task OneShotTimer_FiresOnce_CancelledTimer_Never()
    {
        await using var overlay = new TestOverlay();
        var probe = new Probe();
        var a = await overlay.AddAsync(probe);
        await a.InvokeAsync(probe.ScheduleTimers);

        // The witness is due after both others, so once it fired both had their chance.
        Assert.That(await Eventually.TrueAsync(() => probe.Fired("witness") >= 1, TimeSpan.FromSeconds(20)), Is.True);
        Assert.That(probe.Fired("one-shot"), Is.EqualTo(1));
        Assert.That(probe.Fired("cancelled"), Is.Zero);
        // Many more periods of the one-shot's due time: it stays at one.
        Assert.That(await Eventually.TrueAsync(() => probe.Fired("witness") >= 20, TimeSpan.FromSeconds(20)), Is.True);
        Assert.That(probe.Fired("one-shot"), Is.EqualTo(1), "a one-shot timer fired again");
        Assert.That(probe.Fired("cancelled"), Is.Zero, "a disposed timer fired");
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    [Test, CancelAfter(30_000)]
    public async Task TerminateSource_TellsOnBrokenSource_Once_AndTheSourceStops()
    {
        await using var overlay = new TestOverlay();
        var probe = new Probe();
        var a = await overlay.AddAsync(probe);
        await a.DeploySourceAsync(7, new SourceOptions { PayloadLength = 100 });
        await a.DeploySourceAsync(8, new SourceOptions { PayloadLength = 100 });
        Assert.That(await Eventually.TrueAsync(() => probe.FromSource(7) > 20 && probe.FromSource(8) > 20, TimeSpan.FromSeconds(10)), Is.True);

        await a.TerminateSourceAsync(7);
        Assert.That(probe.BrokenSources, Is.EqualTo(new[] { 7 }), "told at once, about application 7 only");
        var seven = probe.FromSource(7);
        var eight = probe.FromSource(8);
        // Source 8 keeps producing (a message nobody sends on pauses its source for 20 ms); by the time it made 100
        // more, source 7 would have too had it not stopped.
        Assert.That(await Eventually.TrueAsync(() => probe.FromSource(8) > eight + 100, TimeSpan.FromSeconds(20)), Is.True);
        Assert.That(probe.FromSource(7), Is.EqualTo(seven), "the terminated source produced again");
        Assert.That(probe.BrokenSources, Is.EqualTo(new[] { 7 }));
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    private sealed class Probe : Algorithm
    {
        private readonly Dictionary<string, int> _fired = [];
        private readonly Dictionary<int, long> _fromSource = [];
        private readonly List<(int, NodeId, int, bool)> _data = [];
        private readonly List<int> _broken = [];

        public List<(int Sequence, NodeId From, int Length, bool Intact)> Data
        {
            get
            {
                lock (_data)
                    return [.. _data];
            }
        }

        public List<int> BrokenSources
        {
            get
            {
                lock (_broken)
                    return [.. _broken];
            }
        }

        public int Fired(string name)
        {
            lock (_fired)
                return _fired.GetValueOrDefault(name);
        }

        public long FromSource(int application)
        {
            lock (_fromSource)
                return _fromSource.GetValueOrDefault(application);
        }

        public void SendToSelf(int sequence, int length)
        {
            var message = CreateMessage(MessageTypes.Data, 1, length);
            message.SequenceNumber = sequence;
            SourceOptions.FillPattern(message);
            Send(message, Self);
        }

        public void ScheduleTimers()
        {
            Schedule(TimeSpan.FromMilliseconds(20), Timeout.InfiniteTimeSpan, () => Count("one-shot"));
            Schedule(TimeSpan.FromMilliseconds(50), Timeout.InfiniteTimeSpan, () => Count("cancelled")).Dispose();
            Schedule(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(20), () => Count("witness"));
        }

        public override Disposition Process(Message message)
        {
            if (message.Type != MessageTypes.Data)
                return base.Process(message);
            if (message.ApplicationId is 7 or 8)
            {
                lock (_fromSource)
                    _fromSource[message.ApplicationId] = _fromSource.GetValueOrDefault(message.ApplicationId) + 1;
                return Disposition.Consumed;
            }

            lock (_data)
                _data.Add((message.SequenceNumber, message.From, message.PayloadLength, SourceOptions.IsPattern(message)));
            return Disposition.Consumed;
        }

        protected override void OnBrokenSource(int applicationId)
        {
            lock (_broken)
                _broken.Add(applicationId);
        }

        private void Count(string name)
        {
            lock (_fired)
                _fired[name] = _fired.GetValueOrDefault(name) + 1;
        }
    }
}
