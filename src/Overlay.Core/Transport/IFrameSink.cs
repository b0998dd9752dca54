namespace Overlay.Transport;

/// <summary>Takes the messages a connection decodes (<see cref="IConnection.ReceiveAsync"/>).</summary>
public interface IFrameSink
{
    /// <summary>
    /// Takes ownership of one reference to <paramref name="message"/>. The reader does not read the next frame until
    /// the returned task completes, which is how a full inbound buffer stops the connection being read.
    /// </summary>
    /// <param name="message">The decoded message.</param>
    /// <returns>Completes when the sink can take the next one.</returns>
    ValueTask OnMessageAsync(Message message);

    /// <summary>
    /// Called when every whole frame read so far has been delivered and the reader is about to wait for the
    /// connection: the moment to act on a batch of frames (a sink that defers work per frame does it here).
    /// </summary>
    void OnReceiving()
    {
    }

    /// <summary>
    /// The most bytes the next read may take. A sink that paces what it receives (emulated download limits)
    /// keeps reads to slices of its rate, so frames arrive spread out rather than in lumps of a whole staging buffer.
    /// </summary>
    int ReadLimit => int.MaxValue;
}
