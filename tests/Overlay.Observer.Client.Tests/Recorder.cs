using System.Collections.Concurrent;

namespace Overlay.Observer.Client.Tests;

/// <summary>An algorithm that relays data to its children and records what the engine and observer tell it.</summary>
internal sealed class Recorder : Algorithm
{
    private long _delivered;
    private long _produced;

    public ConcurrentQueue<string> Events { get; } = new();

    public List<NodeId> Bootstrap { get; private set; } = [];

    public List<NodeId> Children { get; } = [];

    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Data messages from this node's own sources.</summary>
    public long Produced => Interlocked.Read(ref _produced);

    public HashSet<NodeId> Known() => [.. KnownHosts];

    public void Say(string text) => Trace(text);

    public override Disposition Process(Message message)
    {
        switch (message.Type)
        {
            case MessageTypes.Data:
                if (message.From != Self)
                    Interlocked.Increment(ref _delivered);
                else
                    Interlocked.Increment(ref _produced);
                foreach (var child in Children)
                    Send(message, child);
                return Disposition.Forwarded;
            case MessageTypes.Bootstrap:
                Bootstrap = [.. BootstrapList.Read(message)];
                Events.Enqueue($"bootstrap {Bootstrap.Count}");
                break;
            case MessageTypes.JoinRequested:
                Events.Enqueue($"join {message.ApplicationId}");
                break;
            case MessageTypes.LeaveRequested:
                Events.Enqueue($"leave {message.ApplicationId}");
                break;
            case MessageTypes.CustomControl:
                Events.Enqueue(message.Payload.IsEmpty
                    ? $"custom {message.ApplicationId} {message.SequenceNumber}"
                    : $"custom {message.ApplicationId} {message.SequenceNumber} {Convert.ToHexString(message.Payload)}");
                break;
            case MessageTypes.BrokenUpstream:
                Events.Enqueue($"broken upstream {message.Sender}");
                break;
            case MessageTypes.BrokenDownstream:
                Events.Enqueue($"broken downstream {message.Sender}");
                Children.Remove(message.Sender);
                break;
        }

        return base.Process(message);
    }
}
