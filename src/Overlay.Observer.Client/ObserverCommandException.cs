namespace Overlay.Observer.Client;

/// <summary>A node refused or failed a control command.</summary>
public sealed class ObserverCommandException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ObserverCommandException()
    {
    }

    /// <summary>Creates the exception with the node's reason.</summary>
    public ObserverCommandException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the node's reason and a cause.</summary>
    public ObserverCommandException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
