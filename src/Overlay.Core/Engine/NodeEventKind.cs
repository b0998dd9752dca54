namespace Overlay.Engine;

/// <summary>What a <see cref="NodeEvent"/> asks the node's loop to do.</summary>
internal enum NodeEventKind
{
    /// <summary>Run the <see cref="Action"/> in the subject on the loop.</summary>
    Invoke,

    /// <summary>A peer connected; the subject is the connection.</summary>
    Accepted,

    /// <summary>An upstream link's receive loop ended; the subject is the link.</summary>
    UpstreamClosed,

    /// <summary>A downstream link's send loop ended; the subject is the link.</summary>
    DownstreamClosed,

    /// <summary>An algorithm timer fired; the subject is the timer.</summary>
    TimerFired,

    /// <summary>Time to sample link meters, probe round-trip times and report throughput.</summary>
    Measure,

    /// <summary>A peer reported a probe train; the subject is a <see cref="ProbeOutcome"/>.</summary>
    ProbeReported,

    /// <summary>A measurement got no answer in time; the subject is the boxed train id.</summary>
    MeasurementTimedOut,

    /// <summary>The graceful part of stopping is over; close whatever is left.</summary>
    StopDeadline,
}
