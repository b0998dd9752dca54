namespace Overlay;

/// <summary>Which way a link carries messages, seen from the node that reports it.</summary>
public enum LinkDirection
{
    /// <summary>A peer sends to this node over the link.</summary>
    Upstream,

    /// <summary>This node sends to the peer over the link.</summary>
    Downstream,
}
