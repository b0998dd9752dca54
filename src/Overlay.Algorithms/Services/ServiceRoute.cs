namespace Overlay.Algorithms.Services;

/// <summary>One node's place in a deployed session: its producers and consumers, and at a join the messages it holds.</summary>
internal sealed class ServiceRoute
{
    public ServiceRoute(int applicationId, FederationStrategy strategy, ServiceRequirement requirement, NodeId[] assignment, int position)
    {
        ApplicationId = applicationId;
        Strategy = strategy;
        Requirement = requirement;
        Assignment = assignment;
        Position = position;
        Successors = requirement.SuccessorsOf(position).Select(i => assignment[i]).ToArray();
        Predecessors = requirement.PredecessorsOf(position).Select(i => assignment[i]).ToArray();
    }

    public int ApplicationId { get; }

    public FederationStrategy Strategy { get; }

    public ServiceRequirement Requirement { get; }

    public NodeId[] Assignment { get; }

    public int Position { get; }

    public NodeId Source => Assignment[0];

    public bool IsSource => Position == 0;

    public bool IsSink => Position == Assignment.Length - 1;

    public NodeId[] Successors { get; }

    public NodeId[] Predecessors { get; }

    /// <summary>At a join: sequence number → the first copy held and how many producers delivered it.</summary>
    public Dictionary<int, JoinSlot> Pending { get; } = [];

    // Sink measurements.
    public long Messages { get; set; }

    public long Bytes { get; set; }

    public long DelayTicks { get; set; }

    public long FirstAt { get; set; }

    public long LastAt { get; set; }

    public int LastApplied { get; set; }

    public long BytesAtLastReport { get; set; }

    public long LastReportAt { get; set; }

    public bool Involves(NodeId node) => Array.IndexOf(Assignment, node) >= 0;

    /// <summary>True when <paramref name="node"/> is a producer or consumer of this node in the session.</summary>
    public bool Neighbours(NodeId node) => Array.IndexOf(Successors, node) >= 0 || Array.IndexOf(Predecessors, node) >= 0;

    /// <summary>Releases every message held at a join.</summary>
    public void ReleaseHeld()
    {
        foreach (var slot in Pending.Values)
            slot.Message.Release();
        Pending.Clear();
    }
}
