namespace Overlay.Transport;

/// <summary>
/// A transport-neutral failure of a connect, a send or a receive. Transports translate their own errors (a TCP
/// transport's <c>SocketException</c>, say, kept as <see cref="Exception.InnerException"/>) into it, so the engine
/// retries and closes links the same way on every transport.
/// </summary>
public sealed class TransportException : IOException
{
    /// <summary>Creates a failure for <paramref name="failure"/>.</summary>
    /// <param name="failure">What went wrong.</param>
    /// <param name="message">A description for logs.</param>
    /// <param name="innerException">The transport's own error, if any.</param>
    public TransportException(TransportFailure failure, string? message = null, Exception? innerException = null)
        : base(message ?? innerException?.Message ?? failure.ToString(), innerException)
    {
        Failure = failure;
    }

    /// <summary>What went wrong.</summary>
    public TransportFailure Failure { get; }
}
