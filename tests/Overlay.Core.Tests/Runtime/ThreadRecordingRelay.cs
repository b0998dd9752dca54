using System.Collections.Concurrent;

namespace Overlay.Core.Tests.Runtime;

/// <summary>A relay that records on which threads its node ran it (start and every message), and can send one message.</summary>
internal sealed class ThreadRecordingRelay : RelayAlgorithm
{
    private readonly ConcurrentDictionary<int, int> _threads = new();

    /// <summary>Managed thread ids the algorithm ran on, with how often.</summary>
    public IReadOnlyDictionary<int, int> Threads => _threads;

    public void SendOne(NodeId peer, int payloadLength = 100) => Send(CreateMessage(MessageTypes.Data, 1, payloadLength), peer);

    public override Disposition Process(Message message)
    {
        _threads.AddOrUpdate(Environment.CurrentManagedThreadId, 1, static (_, n) => n + 1);
        return base.Process(message);
    }

    protected override void OnStart()
    {
        _threads.AddOrUpdate(Environment.CurrentManagedThreadId, 1, static (_, n) => n + 1);
        base.OnStart();
    }
}
