namespace Overlay.Algorithms.Services;

/// <summary>
/// The message types of <see cref="ServiceFederationAlgorithm"/>'s protocol: a block of its own, well above the
/// session protocol's (<see cref="SessionMessageTypes"/>), so both can share an overlay.
/// </summary>
public static class ServiceMessageTypes
{
    /// <summary>The first type number of the block.</summary>
    public const int First = MessageTypes.AlgorithmStart + 0x900;

    /// <summary>sAware: a new service announces itself (the sender); relayed by nodes without a service until a service node is reached.</summary>
    public const int Aware = First;

    /// <summary>A service node passes an sAware on to the new service's direct upstream and downstream instances it knows.</summary>
    public const int AwareForward = First + 1;

    /// <summary>A related service instance introduces itself to a new one, so the new one learns its neighbours.</summary>
    public const int Introduce = First + 2;

    /// <summary>A service instance tells its upstream instances the best bandwidth it measured to each of its consumer services (sFlow's look-ahead).</summary>
    public const int Reach = First + 3;

    /// <summary>sFederate: the federation request, passed from chosen node to chosen node with the choices made so far.</summary>
    public const int Federate = First + 4;

    /// <summary>The sink concluded a federation: every chosen node installs its place in the data stream.</summary>
    public const int Deploy = First + 5;

    /// <summary>The sink's periodic account of the delivered stream (delay, throughput), sent to the source.</summary>
    public const int Report = First + 6;

    /// <summary>A chosen node lost a neighbour of the session: sent to the source, which tears the session down.</summary>
    public const int Broken = First + 7;

    /// <summary>The source ends a session: every chosen node drops its place in it.</summary>
    public const int Teardown = First + 8;

    /// <summary>A federation could not be completed (no reachable instance of a required service); sent to the source.</summary>
    public const int Failed = First + 9;

    /// <summary>A service instance was found dead: passed to its related instances, which drop it from their graphs.</summary>
    public const int Withdraw = First + 10;

    /// <summary>The last type number of the block.</summary>
    public const int Last = Withdraw;

    /// <summary>How many types the block has.</summary>
    public const int Count = Last - First + 1;

    /// <summary>The protocol name of a type of this block (sAware, sFederate, …), or null for any other type.</summary>
    public static string? NameOf(int type) => type switch
    {
        Aware => "sAware",
        AwareForward => "sAwareForward",
        Introduce => "sIntroduce",
        Reach => "sReach",
        Federate => "sFederate",
        Deploy => "sDeploy",
        Report => "sReport",
        Broken => "sBroken",
        Teardown => "sTeardown",
        Failed => "sFailed",
        Withdraw => "sWithdraw",
        _ => null,
    };
}
