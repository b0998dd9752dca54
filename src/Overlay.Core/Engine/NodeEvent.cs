namespace Overlay.Engine;

/// <summary>One item of a node's inbox: everything that crosses into the node's loop from another thread.</summary>
internal readonly record struct NodeEvent(NodeEventKind Kind, object? Subject = null);
