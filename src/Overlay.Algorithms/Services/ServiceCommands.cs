namespace Overlay.Algorithms.Services;

/// <summary>
/// The observer's commands to <see cref="ServiceFederationAlgorithm"/>, packed into the two integers of a custom
/// control message (<c>OverlayObserver.SendCustomAsync(node, first, second)</c>). The top byte of the first integer
/// is the command:
/// <list type="bullet">
/// <item>sAssign — first = 1 &lt;&lt; 24; second = the service type the node is to host.</item>
/// <item>sFederate — first = 2 &lt;&lt; 24 | strategy &lt;&lt; 20 | application id (1 to 2^20 − 1); second = a chain of
/// 2 to 4 service types of 1 to 255, one per byte from the top byte down, unused bytes 0. The receiving node must host
/// the first.</item>
/// <item>sEnd — first = 3 &lt;&lt; 24 | application id: the source ends the session.</item>
/// <item>sFederate with any requirement (forks and joins) — first = 4 &lt;&lt; 24 | strategy &lt;&lt; 20 | application id;
/// second = 0; the requirement's wire form in the command's payload
/// (<c>OverlayObserver.SendCustomAsync(node, first, second, payload)</c>).</item>
/// </list>
/// </summary>
public static class ServiceCommands
{
    /// <summary>The largest application id a command can carry.</summary>
    public const int MaxApplicationId = (1 << 20) - 1;

    /// <summary>The command number of sAssign.</summary>
    public const int AssignCommand = 1;

    /// <summary>The command number of sFederate.</summary>
    public const int FederateCommand = 2;

    /// <summary>The command number of sEnd.</summary>
    public const int EndCommand = 3;

    /// <summary>The command number of sFederate with a whole requirement in the command's payload.</summary>
    public const int FederateRequirementCommand = 4;

    /// <summary>sAssign: host <paramref name="service"/>.</summary>
    public static (int First, int Second) Assign(int service)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(service);
        return (AssignCommand << 24, service);
    }

    /// <summary>sFederate: federate the chain <paramref name="services"/> as session <paramref name="applicationId"/>.</summary>
    public static (int First, int Second) Federate(int applicationId, FederationStrategy strategy, params int[] services)
    {
        ArgumentNullException.ThrowIfNull(services);
        CheckApplication(applicationId);
        if (services.Length is < 2 or > 4)
            throw new ArgumentException("A chain command carries 2 to 4 services.", nameof(services));
        var packed = 0u;
        for (var i = 0; i < services.Length; i++)
        {
            if (services[i] is < 1 or > 255)
                throw new ArgumentException("A chain command carries service types 1 to 255.", nameof(services));
            packed |= (uint)services[i] << (24 - (8 * i));
        }

        return ((FederateCommand << 24) | ((int)strategy << 20) | applicationId, unchecked((int)packed));
    }

    /// <summary>
    /// sFederate with any requirement DAG, forks and joins included: the two integers and the payload for
    /// <c>OverlayObserver.SendCustomAsync(node, first, second, payload)</c>.
    /// </summary>
    public static (int First, int Second, byte[] Payload) Federate(int applicationId, FederationStrategy strategy, ServiceRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(requirement);
        CheckApplication(applicationId);
        var payload = new byte[requirement.WireLength];
        requirement.Write(payload);
        return ((FederateRequirementCommand << 24) | ((int)strategy << 20) | applicationId, 0, payload);
    }

    /// <summary>The requirement in an sFederate command's payload; null when the payload is not exactly one well-formed requirement.</summary>
    public static ServiceRequirement? RequirementOf(ReadOnlySpan<byte> payload) =>
        ServiceRequirement.TryRead(payload, out var requirement, out var length) && length == payload.Length ? requirement : null;

    /// <summary>sEnd: end session <paramref name="applicationId"/>.</summary>
    public static (int First, int Second) End(int applicationId)
    {
        CheckApplication(applicationId);
        return ((EndCommand << 24) | applicationId, 0);
    }

    /// <summary>The command number in a first integer.</summary>
    public static int CommandOf(int first) => (first >> 24) & 0xFF;

    /// <summary>The application id in a first integer.</summary>
    public static int ApplicationOf(int first) => first & MaxApplicationId;

    /// <summary>The strategy in an sFederate's first integer.</summary>
    public static FederationStrategy StrategyOf(int first) => (FederationStrategy)((first >> 20) & 0xF);

    /// <summary>The chain of services in an sFederate's second integer.</summary>
    public static int[] ChainOf(int second)
    {
        var services = new List<int>(4);
        for (var shift = 24; shift >= 0; shift -= 8)
        {
            var service = (int)(((uint)second >> shift) & 0xFF);
            if (service == 0)
                break;
            services.Add(service);
        }

        return [.. services];
    }

    private static void CheckApplication(int applicationId)
    {
        if (applicationId is < 1 or > MaxApplicationId)
            throw new ArgumentOutOfRangeException(nameof(applicationId), applicationId, $"Between 1 and {MaxApplicationId}.");
    }
}
