using System.CommandLine;

namespace Overlay.Observer.Web;

/// <summary>The dashboard's own command-line options; everything else goes to ASP.NET Core (e.g. <c>--urls</c>).</summary>
internal sealed class DashboardOptions
{
    public const string DefaultUrls = "http://127.0.0.1:5080";

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

    /// <summary>
    /// The command line: the dashboard's options, <c>--urls</c>, and room for any other ASP.NET Core setting
    /// (<c>--Logging:LogLevel:Default=Warning</c>), which is left for the web host.
    /// </summary>
    public static RootCommand Command()
    {
        var root = new RootCommand(
            "The observer dashboard: a web page with the overlay's live topology, a control panel, throughput charts and " +
            "the trace log. Other ASP.NET Core settings (--Logging:LogLevel:Default=Warning, …) are passed on to the web host.")
        {
            Options.Demo, Options.Urls, Options.ObserverPort, Options.Secret, Options.TraceLog,
        };
        root.TreatUnmatchedTokensAsErrors = false;
        return root;
    }

    /// <summary>Reads the dashboard's options from a parse of <see cref="Command"/>; the rest, with --urls, is the web host's.</summary>
    public static DashboardOptions From(ParseResult result, out string[] hostArgs)
    {
        ArgumentNullException.ThrowIfNull(result);
        var rest = new List<string>();
        if (result.GetValue(Options.Urls) is { } urls)
            rest.AddRange(["--urls", urls]);
        rest.AddRange(result.UnmatchedTokens);
        hostArgs = [.. rest];
        return new DashboardOptions
        {
            Demo = result.GetValue(Options.Demo),
            ObserverPort = result.GetValue(Options.ObserverPort),
            SharedSecret = result.GetValue(Options.Secret),
            TraceLogPath = result.GetValue(Options.TraceLog),
        };
    }

    /// <summary>Splits <paramref name="args"/> into the dashboard's options and the arguments left for the web host.</summary>
    /// <exception cref="ArgumentException">An option is missing its value or the value is malformed.</exception>
    public static DashboardOptions Parse(string[] args, out string[] hostArgs)
    {
        var result = Command().Parse(args);
        if (result.Errors.Count > 0)
            throw new ArgumentException(string.Join(" ", result.Errors.Select(e => e.Message)));
        return From(result, out hostArgs);
    }

    // One instance of each option, shared by Command and From.
    private static class Options
    {
        public static readonly Option<bool> Demo = new("--demo") { Description = "Start the paper's seven-node demo overlay next to the observer." };

        public static readonly Option<string?> Urls = new("--urls") { Description = $"Where the page is served (default {DefaultUrls}; http://127.0.0.1:0 picks a free port)." };

        public static readonly Option<int> ObserverPort = CreateObserverPort();

        public static readonly Option<string?> Secret = new("--secret") { Description = "The overlay's shared secret, for nodes that use one." };

        public static readonly Option<string?> TraceLog = new("--trace-log") { Description = "Also append every trace to this file (TraceRecord.Parse reads it back)." };

        private static Option<int> CreateObserverPort() =>
            new Option<int>("--observer-port") { Description = "Where nodes connect (0, the default: a free port, logged at start)." }
                .Require(port => port is >= 0 and <= 65535, port => $"--observer-port needs a port number (0-65535), not '{port}'.");
    }
}
