using System.Buffers.Binary;
using Overlay.Buffers;

namespace Overlay.Engine;

/// <summary>
/// The layout of bandwidth probes: a train of <see cref="Length"/> frames of <see cref="FrameBytes"/> sent back to
/// back; the receiver divides the bytes after the first frame by the time between the first and the last.
/// </summary>
internal static class ProbeTrain
{
    public const int Length = 8;

    public const int FrameBytes = 8 * 1024;

    /// <summary>Payload: train id, index, count (the rest is filler).</summary>
    public static Message CreateProbe(MessagePool pool, NodeId sender, int trainId, int index)
    {
        var probe = pool.Rent(FrameBytes - Wire.MessageHeader.Size);
        probe.Type = MessageTypes.Probe;
        probe.Sender = sender;
        probe.SequenceNumber = index;
        probe.ApplicationId = trainId;
        BinaryPrimitives.WriteInt32LittleEndian(probe.Payload, Length);
        probe.EncodeHeader();
        return probe;
    }

    public static Message CreateReport(MessagePool pool, NodeId sender, int trainId, double bytesPerSecond)
    {
        var report = pool.Rent(sizeof(double));
        report.Type = MessageTypes.ProbeReport;
        report.Sender = sender;
        report.ApplicationId = trainId;
        BinaryPrimitives.WriteDoubleLittleEndian(report.Payload, bytesPerSecond);
        report.EncodeHeader();
        return report;
    }
}
