namespace Overlay;

/// <summary>What an algorithm did with a message given to <see cref="Algorithm.Process"/>.</summary>
public enum Disposition
{
    /// <summary>The algorithm used the message and is done with it; the engine releases it.</summary>
    Consumed = 0,

    /// <summary>The algorithm passed the message on with <see cref="Algorithm.Send"/>; the engine releases its own reference.</summary>
    Forwarded = 1,

    /// <summary>
    /// The algorithm keeps the message (to merge or code it with later ones). The engine hands its reference to the
    /// algorithm, which must call <see cref="Message.Release"/> exactly once when it no longer needs it.
    /// </summary>
    Hold = 2,
}
