namespace Overlay.Observer;

/// <summary>The commands an observer can give a node.</summary>
internal enum ControlKind
{
    /// <summary>Set the node's total, upload or download bandwidth.</summary>
    SetBandwidth,

    /// <summary>Set the bandwidth of one direction of one link.</summary>
    SetLinkBandwidth,

    /// <summary>Deploy an application data source on the node.</summary>
    DeploySource,

    /// <summary>Terminate the node's source of an application.</summary>
    TerminateSource,

    /// <summary>Ask the node's algorithm to join an application.</summary>
    Join,

    /// <summary>Ask the node's algorithm to leave an application.</summary>
    Leave,

    /// <summary>Terminate the node.</summary>
    TerminateNode,

    /// <summary>An algorithm-specific command with two integers.</summary>
    Custom,
}
