namespace Overlay.Transport;

/// <summary>Takes the messages a <see cref="FrameReader"/> decodes.</summary>
internal interface IFrameSink
{
    /// <summary>
    /// Takes ownership of one reference to <paramref name="message"/>. The reader does not read the next frame until
    /// the returned task completes, which is how a full inbound buffer stops the socket being read.
    /// </summary>
    ValueTask OnMessageAsync(Message message);
}
