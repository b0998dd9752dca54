using System.Globalization;
using Overlay.Emulation;
using Overlay.Observer.Client;

namespace Overlay.Observer.ConsoleSample;

/// <summary>
/// Typed commands: <c>bw D up 30k</c> (node bandwidth: total|up|down, "none" to clear), <c>link D E 15k</c>
/// (downstream link bandwidth), <c>kill B</c>, <c>deploy A 1</c>, <c>stop A 1</c>, <c>custom C 1 2</c>.
/// </summary>
internal sealed class CommandParser(OverlayObserver observer, IReadOnlyDictionary<string, NodeId> nodes)
{
    public async Task<string> RunAsync(string line)
    {
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0)
            return string.Empty;
        try
        {
            switch (words[0].ToLowerInvariant())
            {
                case "bw" when words.Length == 4:
                    var scope = words[2] switch { "up" => BandwidthScope.Upload, "down" => BandwidthScope.Download, _ => BandwidthScope.Total };
                    await observer.SetBandwidthAsync(Node(words[1]), scope, Rate(words[3]));
                    break;
                case "link" when words.Length == 4:
                    await observer.SetLinkBandwidthAsync(Node(words[1]), Node(words[2]), LinkDirection.Downstream, Rate(words[3]));
                    break;
                case "kill" when words.Length == 2:
                    await observer.TerminateNodeAsync(Node(words[1]));
                    break;
                case "deploy" when words.Length == 3:
                    await observer.DeploySourceAsync(Node(words[1]), int.Parse(words[2], CultureInfo.InvariantCulture));
                    break;
                case "stop" when words.Length == 3:
                    await observer.TerminateSourceAsync(Node(words[1]), int.Parse(words[2], CultureInfo.InvariantCulture));
                    break;
                case "custom" when words.Length == 4:
                    await observer.SendCustomAsync(Node(words[1]), int.Parse(words[2], CultureInfo.InvariantCulture), int.Parse(words[3], CultureInfo.InvariantCulture));
                    break;
                default:
                    return "commands: bw <node> total|up|down <rate|none> · link <from> <to> <rate|none> · kill <node> · deploy <node> <app> · stop <node> <app> · custom <node> <a> <b>";
            }

            return $"ok: {line}";
        }
        catch (Exception ex) when (ex is ObserverCommandException or TimeoutException or KeyNotFoundException or FormatException)
        {
            return $"error: {ex.Message}";
        }
    }

    private NodeId Node(string name) => nodes[name.ToUpperInvariant()];

    // "30k" = 30,000 bytes/s, "2m" = 2,000,000; "none" removes the limit.
    private static double? Rate(string text)
    {
        if (text is "none" or "off")
            return null;
        var multiplier = char.ToLowerInvariant(text[^1]) switch { 'k' => 1e3, 'm' => 1e6, _ => 1.0 };
        var digits = multiplier == 1.0 ? text : text[..^1];
        return double.Parse(digits, CultureInfo.InvariantCulture) * multiplier;
    }
}
