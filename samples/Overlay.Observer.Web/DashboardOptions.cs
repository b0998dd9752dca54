using System.Globalization;

namespace Overlay.Observer.Web;

/// <summary>The dashboard's own command-line options; everything else goes to ASP.NET Core (e.g. <c>--urls</c>).</summary>
internal sealed class DashboardOptions
{
    public const string DefaultUrls = "http://127.0.0.1:5080";

    public const string Usage =
        "options: --demo (start the seven-node demo overlay) · --urls URL (default " + DefaultUrls + ") · " +
        "--observer-port N (default: a free port) · --secret S (the overlay's shared secret) · --trace-log PATH";

    /// <summary>Start the built-in seven-node demo overlay next to the observer.</summary>
    public bool Demo { get; set; }

    /// <summary>The port nodes connect to; 0 picks a free one.</summary>
    public int ObserverPort { get; set; }

    /// <summary>The overlay's shared secret, or null for none.</summary>
    public string? SharedSecret { get; set; }

    /// <summary>File the observer appends traces to, or null.</summary>
    public string? TraceLogPath { get; set; }

    /// <summary>How often the page receives a snapshot.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often each link's throughput is added to its history (the chart's resolution).</summary>
    public TimeSpan HistoryInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Splits <paramref name="args"/> into the dashboard's options and the arguments left for the web host.</summary>
    /// <exception cref="ArgumentException">An option is missing its value or the value is malformed.</exception>
    public static DashboardOptions Parse(string[] args, out string[] hostArgs)
    {
        var options = new DashboardOptions();
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--demo":
                    options.Demo = true;
                    break;
                case "--observer-port":
                    var port = Value(args, ref i);
                    if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed > 65535)
                        throw new ArgumentException($"--observer-port needs a port number (0-65535), not '{port}'.");
                    options.ObserverPort = parsed;
                    break;
                case "--secret":
                    options.SharedSecret = Value(args, ref i);
                    break;
                case "--trace-log":
                    options.TraceLogPath = Value(args, ref i);
                    break;
                default:
                    rest.Add(args[i]);
                    break;
            }
        }

        hostArgs = [.. rest];
        return options;
    }

    private static string Value(string[] args, ref int i)
    {
        if (i + 1 >= args.Length)
            throw new ArgumentException($"{args[i]} needs a value.");
        return args[++i];
    }
}
