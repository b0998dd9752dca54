namespace Overlay.Algorithms.Coding;

/// <summary>What a node does in an <see cref="RlncAlgorithm"/> overlay.</summary>
public enum RlncRole
{
    /// <summary>Cuts its data source into generations and sends coded packets to every downstream.</summary>
    Source,

    /// <summary>Recodes what it holds of each generation to its downstreams, without waiting to decode.</summary>
    Relay,

    /// <summary>A relay that also decodes each generation once it has rank g and delivers the source messages.</summary>
    Receiver,
}
