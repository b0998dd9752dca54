namespace Overlay.Perf;

/// <summary>One chain length, measured with the engine and with raw sockets.</summary>
/// <param name="Length">Nodes in the chain; links are one fewer.</param>
/// <param name="Engine">The chain of overlay nodes.</param>
/// <param name="Raw">The raw-socket chain.</param>
/// <param name="OutstandingAfterStop">Pool messages still rented after every node stopped.</param>
internal sealed record ChainRow(int Length, Measurement Engine, Measurement Raw, long OutstandingAfterStop)
{
    public int Links => Length - 1;

    /// <summary>Bytes moved over all links per second: end-to-end throughput times the number of links.</summary>
    public double EngineTotalMegabytesPerSecond => Engine.MegabytesPerSecond * Links;

    public double RawTotalMegabytesPerSecond => Raw.MegabytesPerSecond * Links;

    public double Ratio => Raw.MessagesPerSecond == 0 ? double.NaN : Engine.MessagesPerSecond / Raw.MessagesPerSecond;
}
