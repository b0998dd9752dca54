using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using NUnit.Framework;

namespace Overlay.Core.Tests.Engine;

/// <summary>
/// An exception that escapes the switch fails the node — logged, terminated, its completion faulted — the same way
/// whether the node's loop task ran the switch or an I/O loop that borrowed it.
/// </summary>
[Category("Integration")]
public class SwitchFailureTests
{
    [TestCase(true, TestName = "ExceptionInTheSwitch_RunInlineByAnIoLoop_FailsTheNode")]
    [TestCase(false, TestName = "ExceptionInTheSwitch_OnTheLoopTask_FailsTheNode")]
    [CancelAfter(60_000)]
    public async Task ExceptionInTheSwitch_FailsTheNode(bool inline)
    {
        await using var overlay = new TestOverlay();
        var logs = new CapturingLoggerFactory();
        var sender = new RelayAlgorithm();
        var receiver = new RelayAlgorithm();
        var a = await overlay.AddAsync(sender, o => o.LoggerFactory = logs);
        var b = await overlay.AddAsync(receiver);
        sender.Children.Add(b.Id);

        // The source's fill runs inside the switch; it throws once, the first time it runs on the wanted thread.
        var thrown = 0;
        var failure = new InvalidOperationException("fill failed");
        await a.DeploySourceAsync(1, new SourceOptions
        {
            PayloadLength = 100,
            Fill = message =>
            {
                SourceOptions.FillPattern(message);
                if (message.SequenceNumber > 100 && a.IsLoopBorrowed == inline && Interlocked.Exchange(ref thrown, 1) == 0)
                    throw failure;
            },
        });

        var ended = await Task.WhenAny(a.Completion, Task.Delay(TimeSpan.FromSeconds(20)));
        Assert.That(thrown, Is.EqualTo(1), "the fill threw on the wanted thread");
        Assert.That(ended, Is.SameAs(a.Completion), "the node's loop ended");
        Assert.That(a.Completion.IsFaulted, Is.True);
        Assert.That(a.Completion.Exception!.InnerException, Is.SameAs(failure));
        Assert.That(a.IsRunning, Is.False);
        Assert.That(logs.Entries, Has.Some.Matches<(LogLevel Level, Exception? Error)>(e => e.Level == LogLevel.Critical && e.Error == failure));
        Assert.That(a.GetStatistics().Downstreams, Is.Empty, "every link of the failed node is closed");
        Assert.That(
            await Eventually.TrueAsync(() => receiver.Failures.Any(f => f.Peer == a.Id && f.Type == MessageTypes.BrokenUpstream), TimeSpan.FromSeconds(10)),
            Is.True,
            "the peer sees the failed node's link break");
        Assert.That(a.GetStatistics().LinksClosedByError, Is.Empty, "no link is blamed for the node's failure");

        await a.StopAsync(); // quiet: Completion carries the fault, not every stop call
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero);
    }

    private sealed class CapturingLoggerFactory : ILoggerFactory, ILogger
    {
        private readonly ConcurrentQueue<(LogLevel, Exception?)> _entries = new();

        public List<(LogLevel Level, Exception? Error)> Entries => [.. _entries];

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public ILogger CreateLogger(string categoryName) => this;

        public void Dispose()
        {
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _entries.Enqueue((logLevel, exception));
    }
}
