using System.Buffers.Binary;

namespace Overlay.Perf;

/// <summary>
/// A node of the scale experiment: greets its neighbours once (which opens the links), and floods rumours: a rumour
/// seen for the first time goes to every neighbour except the one it came from, a repeat is dropped.
/// </summary>
internal sealed class GossipPeer : Algorithm
{
    public const int HelloType = MessageTypes.AlgorithmStart;
    public const int RumorType = MessageTypes.AlgorithmStart + 1;
    private const int ApplicationId = 2;

    // Rumour ids are global and increasing: a slot per id modulo the ring remembers the recent ones.
    private readonly long[] _seen = new long[512];
    private long _hellos;
    private long _rumorsFirstSeen;
    private long _received;
    private long _rumorsReceived;
    private long _linkFailures;

    public GossipPeer() => Array.Fill(_seen, -1);

    /// <summary>The nodes this one exchanges rumours with. Set before the node sees any traffic.</summary>
    public NodeId[] Neighbors { get; set; } = [];

    /// <summary>Greetings received: one per link that reached this node.</summary>
    public long Hellos => Volatile.Read(ref _hellos);

    /// <summary>Distinct rumours this node has seen (started or received).</summary>
    public long RumorsFirstSeen => Volatile.Read(ref _rumorsFirstSeen);

    /// <summary>Messages of any kind the algorithm was given, the engine's link reports included.</summary>
    public long Received => Volatile.Read(ref _received);

    /// <summary>Rumour messages that arrived from neighbours, repeats included.</summary>
    public long RumorsReceived => Volatile.Read(ref _rumorsReceived);

    /// <summary>Links of this node that broke or could not connect.</summary>
    public long LinkFailures => Volatile.Read(ref _linkFailures);

    /// <summary>Sends an empty greeting to every neighbour. Call through <see cref="OverlayNode.InvokeAsync"/>.</summary>
    public void Greet()
    {
        foreach (var neighbor in Neighbors)
            Send(CreateMessage(HelloType, ApplicationId, 0), neighbor);
    }

    /// <summary>Starts rumour <paramref name="id"/> here. Call through <see cref="OverlayNode.InvokeAsync"/>.</summary>
    public void StartRumor(long id, int payloadLength)
    {
        var message = CreateMessage(RumorType, ApplicationId, Math.Max(payloadLength, sizeof(long)));
        BinaryPrimitives.WriteInt64LittleEndian(message.Payload, id);
        if (FirstSight(id))
            Spread(message);
    }

    public override Disposition Process(Message message)
    {
        Volatile.Write(ref _received, _received + 1);
        switch (message.Type)
        {
            case HelloType:
                Volatile.Write(ref _hellos, _hellos + 1);
                return Disposition.Consumed;
            case RumorType when message.PayloadLength >= sizeof(long):
                Volatile.Write(ref _rumorsReceived, _rumorsReceived + 1);
                var id = BinaryPrimitives.ReadInt64LittleEndian(message.Payload);
                if (!FirstSight(id))
                    return Disposition.Consumed;
                return Spread(message) > 0 ? Disposition.Forwarded : Disposition.Consumed;
            default:
                return base.Process(message);
        }
    }

    protected override void OnBrokenUpstream(NodeId peer) => CountFailure();

    protected override void OnBrokenDownstream(NodeId peer) => CountFailure();

    protected override void OnSendFailed(NodeId peer) => CountFailure();

    private void CountFailure() => Volatile.Write(ref _linkFailures, _linkFailures + 1);

    private bool FirstSight(long id)
    {
        ref var slot = ref _seen[id % _seen.Length];
        if (slot >= id)
            return false;
        slot = id;
        Volatile.Write(ref _rumorsFirstSeen, _rumorsFirstSeen + 1);
        return true;
    }

    private int Spread(Message message)
    {
        var sent = 0;
        foreach (var neighbor in Neighbors)
        {
            if (neighbor == message.From)
                continue;
            Send(message, neighbor);
            sent++;
        }

        return sent;
    }
}
