namespace Overlay.Emulation;

/// <summary>One direction of a peer's emulated link bandwidth on a node: the bucket, and how many open links use it.</summary>
internal sealed class LinkBucketEntry(TokenBucket bucket)
{
    public TokenBucket Bucket { get; } = bucket;

    /// <summary>Links (current or closing) that hold <see cref="Bucket"/>; guarded by the node's table.</summary>
    public int Links { get; set; }
}
