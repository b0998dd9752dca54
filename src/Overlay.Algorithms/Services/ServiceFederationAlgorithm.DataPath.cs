using System.Buffers.Binary;

namespace Overlay.Algorithms.Services;

/// <summary>The data stream of deployed sessions: each service transforms and forwards; joins merge; the sink measures.</summary>
public sealed partial class ServiceFederationAlgorithm
{
    // The source's data header: origin time and no service applied yet. Runs on the loop for each message produced.
    private void WriteDataHeader(Message message)
    {
        var payload = message.Payload;
        BinaryPrimitives.WriteInt64BigEndian(payload, Clock.GetUtcNow().UtcTicks);
        BinaryPrimitives.WriteInt64BigEndian(payload[8..], 0);
    }

    private Disposition OnData(Message message)
    {
        if (!_routes.TryGetValue(message.ApplicationId, out var route) || message.PayloadLength < ServiceWire.DataHeaderLength)
            return Disposition.Consumed;

        // After a re-federation with the same id, a stale producer's stream must not mix in.
        if (!route.IsSource && Array.IndexOf(route.Predecessors, message.From) < 0)
            return Disposition.Consumed;
        return route.Predecessors.Length > 1 ? Merge(route, message) : Serve(route, message, Applied(message));
    }

    private static int Applied(Message message) => BinaryPrimitives.ReadInt32BigEndian(message.Payload[8..]);

    // Applies this node's service and passes the message to its consumers, or, at the sink, measures it.
    private Disposition Serve(ServiceRoute route, Message message, int applied)
    {
        var payload = message.Payload;
        BinaryPrimitives.WriteInt32BigEndian(payload[8..], applied + 1);
        _options.Transform?.Invoke(_service, route.ApplicationId, payload[ServiceWire.DataHeaderLength..]);
        if (route.IsSink)
        {
            Measure(route, message, applied + 1);
            return Disposition.Consumed;
        }

        foreach (var consumer in route.Successors)
            Send(message, consumer);
        return Disposition.Forwarded;
    }

    // A join: the first copy of each sequence number waits until every producer delivered its copy.
    private Disposition Merge(ServiceRoute route, Message message)
    {
        var sequence = message.SequenceNumber;
        var applied = Applied(message);
        if (!route.Pending.TryGetValue(sequence, out var slot))
        {
            route.Pending[sequence] = new JoinSlot(message, 1, applied);
            if (route.Pending.Count > _options.JoinWindow)
                EvictOlderThan(route, sequence - _options.JoinWindow);
            return Disposition.Hold;
        }

        slot = slot with { Arrivals = slot.Arrivals + 1, Applied = Math.Max(slot.Applied, applied) };
        if (slot.Arrivals < route.Predecessors.Length)
        {
            route.Pending[sequence] = slot;
            return Disposition.Consumed;
        }

        route.Pending.Remove(sequence);
        Serve(route, slot.Message, slot.Applied);
        slot.Message.Release();
        return Disposition.Consumed;
    }

    // A producer that fell far behind (or lost messages when a branch was replaced) must not pin buffers for ever.
    private static void EvictOlderThan(ServiceRoute route, int oldest)
    {
        foreach (var (sequence, slot) in route.Pending)
        {
            if (sequence < oldest)
            {
                route.Pending.Remove(sequence);
                slot.Message.Release();
            }
        }
    }

    private void Measure(ServiceRoute route, Message message, int applied)
    {
        var now = Clock.GetTimestamp();
        if (route.Messages == 0)
            route.FirstAt = now;
        route.LastAt = now;
        route.Messages++;
        route.Bytes += message.PayloadLength;
        route.DelayTicks += Math.Max(0, Clock.GetUtcNow().UtcTicks - BinaryPrimitives.ReadInt64BigEndian(message.Payload));
        route.LastApplied = applied;
    }
}
