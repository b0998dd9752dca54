using System.Net;
using System.Net.Sockets;
using NUnit.Framework;

namespace Overlay.Core.Tests.Observer;

/// <summary>Traces wait for the observer in a bounded queue; what does not fit is dropped and counted, never held.</summary>
[Category("Integration")]
public class TracesDroppedTests
{
    private const int QueueLimit = 65_536; // ObserverSession's bound on traces waiting to be sent

    [Test, CancelAfter(60_000)]
    public async Task TracesBeyondTheQueue_WhileNoObserverAnswers_AreCountedDropped()
    {
        await using var overlay = new TestOverlay();
        var tracer = new Tracer();
        var a = await overlay.AddAsync(tracer, o => o.ObserverEndPoint = NobodyListens());

        await a.InvokeAsync(() => tracer.Say(QueueLimit + 123));
        var status = await a.GetStatusAsync();
        Assert.That(a.IsObserverConnected, Is.False);
        Assert.That(status.TracesDropped, Is.EqualTo(123));
        await overlay.StopAllAsync();
        Assert.That(overlay.Pool.Outstanding, Is.Zero, "queued traces went back to the pool");
    }

    private static IPEndPoint NobodyListens()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return (IPEndPoint)probe.LocalEndPoint!; // closed again at once: connections there are refused
    }

    private sealed class Tracer : Algorithm
    {
        public void Say(int count)
        {
            for (var i = 0; i < count; i++)
                Trace("trace " + i);
        }
    }
}
