using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using Overlay.Buffers;
using Overlay.Diagnostics;

namespace Overlay.Benchmarks;

/// <summary>
/// The whole message path between two nodes of one process (source → switch → TCP loopback → receive → algorithm),
/// with and without a listener on the <c>Overlay</c> meter: the memory diagnoser counts every thread's allocations,
/// so a per-message cost of the metrics would show as bytes per message.
/// </summary>
[MemoryDiagnoser]
public class MessagePathBenchmarks
{
    private const int Messages = 20_000;

    private readonly MessagePool _pool = new();
    private OverlayNode _a = null!;
    private OverlayNode _b = null!;
    private Counting _source = null!;
    private Counting _sink = null!;
    private MeterListener? _listener;
    private long _target;

    /// <summary>True: a listener takes every measurement of the <c>Overlay</c> meter (as an exporter would).</summary>
    [Params(false, true)]
    public bool Listening { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        if (Listening)
        {
            _listener = new MeterListener
            {
                InstrumentPublished = static (instrument, listener) =>
                {
                    if (instrument.Meter.Name == OverlayMeter.Name)
                        listener.EnableMeasurementEvents(instrument);
                },
            };
            _listener.SetMeasurementEventCallback<long>(static (_, _, _, _) => { });
            _listener.SetMeasurementEventCallback<double>(static (_, _, _, _) => { });
            _listener.Start();
        }

        _source = new Counting();
        _sink = new Counting();
        _a = new OverlayNode(new OverlayNodeOptions { Pool = _pool, MeasurementInterval = TimeSpan.FromMilliseconds(100) }, _source);
        _b = new OverlayNode(new OverlayNodeOptions { Pool = _pool, MeasurementInterval = TimeSpan.FromMilliseconds(100) }, _sink);
        _a.StartAsync().GetAwaiter().GetResult();
        _b.StartAsync().GetAwaiter().GetResult();
        _a.InvokeAsync(() => _source.Children.Add(_b.Id)).GetAwaiter().GetResult();
        Send(); // the link opens and warms up outside the measurement
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _a.StopAsync().GetAwaiter().GetResult();
        _b.StopAsync().GetAwaiter().GetResult();
        _listener?.Dispose();
    }

    /// <summary>One message from A's source to B's algorithm (a run of <see cref="Messages"/>, reported per message).</summary>
    [Benchmark(OperationsPerInvoke = Messages)]
    public void Send()
    {
        var completed = Volatile.Read(ref _source.Completed);
        _target += Messages;
        _a.DeploySourceAsync(1, new SourceOptions { PayloadLength = 100, MessageLimit = Messages, Fill = static _ => { } }).GetAwaiter().GetResult();
        var spin = default(SpinWait);
        while (Volatile.Read(ref _sink.Received) < _target || Volatile.Read(ref _source.Completed) == completed)
            spin.SpinOnce();
    }

    /// <summary>Forwards data to its children and counts what it received and the sources that completed.</summary>
    private sealed class Counting : Algorithm
    {
        public long Received;
        public int Completed;

        public List<NodeId> Children { get; } = [];

        public override Disposition Process(Message message)
        {
            if (message.Type != MessageTypes.Data)
                return base.Process(message);
            if (message.From != Self)
                Interlocked.Increment(ref Received);
            foreach (var child in Children)
                Send(message, child);
            return Children.Count > 0 ? Disposition.Forwarded : Disposition.Consumed;
        }

        protected override void OnSourceCompleted(int applicationId) => Interlocked.Increment(ref Completed);
    }
}
