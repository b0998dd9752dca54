using System.Globalization;
using System.Text;

namespace Overlay.Modules;

/// <summary>
/// Which layer of a stack owns a message type: the modules' ranges sorted by their first type, found by binary
/// search — O(log n) in the number of ranges, no allocation per lookup. Built once, checked for conflicts.
/// </summary>
internal sealed class MessageTypeTable
{
    private readonly int[] _firsts;
    private readonly int[] _lasts;
    private readonly int[] _owners;

    private MessageTypeTable(int[] firsts, int[] lasts, int[] owners)
    {
        _firsts = firsts;
        _lasts = lasts;
        _owners = owners;
    }

    /// <summary>The layer that owns <paramref name="type"/>, or -1 when none does.</summary>
    public int Find(int type)
    {
        var low = 0;
        var high = _firsts.Length - 1;
        while (low <= high)
        {
            var middle = (int)((uint)(low + high) >> 1);
            if (_firsts[middle] <= type)
                low = middle + 1;
            else
                high = middle - 1;
        }

        // high is the last range starting at or before the type; ranges do not overlap, so only it can hold it.
        return high >= 0 && type <= _lasts[high] ? _owners[high] : -1;
    }

    /// <summary>The table of <paramref name="modules"/> (bottom layer first).</summary>
    /// <exception cref="ArgumentException">
    /// A range is invalid, reaches into the engine's reserved types, or overlaps another range; the message names every
    /// conflict: both modules (name and layer) and the types they both claim.
    /// </exception>
    public static MessageTypeTable Build(IReadOnlyList<ProtocolModule> modules)
    {
        var ranges = new List<(MessageTypeRange Range, int Layer)>();
        for (var layer = 0; layer < modules.Count; layer++)
        {
            foreach (var range in modules[layer].DeclaredTypes)
                ranges.Add((range, layer));
        }

        var conflicts = new StringBuilder();
        for (var i = 0; i < ranges.Count; i++)
        {
            var (range, layer) = ranges[i];
            if (range.First < 1 || range.Last < range.First)
            {
                // default(MessageTypeRange) is the only way to get here: the constructor refuses the rest.
                Append(conflicts, $"module {Describe(modules, layer)} declares an empty range (0..0): types start at 1");
                continue;
            }

            if (range.Last >= MessageTypes.EngineReservedStart)
            {
                var overlap = new MessageTypeRange(Math.Max(range.First, MessageTypes.EngineReservedStart), range.Last);
                Append(
                    conflicts,
                    $"module {Describe(modules, layer)} declares types {range}, which overlap the engine's reserved types " +
                    $"({MessageTypeRange.Format(MessageTypes.EngineReservedStart)} and up, MessageTypes.EngineReservedStart): {overlap}");
            }

            for (var j = i + 1; j < ranges.Count; j++)
            {
                var (other, otherLayer) = ranges[j];
                if (other.First < 1 || !range.Overlaps(other))
                    continue;
                var shared = new MessageTypeRange(Math.Max(range.First, other.First), Math.Min(range.Last, other.Last));
                Append(
                    conflicts,
                    layer == otherLayer
                        ? $"module {Describe(modules, layer)} declares overlapping ranges {range} and {other}: both hold {shared}"
                        : $"module {Describe(modules, layer)} declares types {range} and module {Describe(modules, otherLayer)} declares {other}: both claim {shared}");
            }
        }

        if (conflicts.Length > 0)
            throw new ArgumentException("The protocol stack's message types conflict: " + conflicts + ".", nameof(modules));

        ranges.Sort(static (a, b) => a.Range.First.CompareTo(b.Range.First));
        var firsts = new int[ranges.Count];
        var lasts = new int[ranges.Count];
        var owners = new int[ranges.Count];
        for (var i = 0; i < ranges.Count; i++)
        {
            firsts[i] = ranges[i].Range.First;
            lasts[i] = ranges[i].Range.Last;
            owners[i] = ranges[i].Layer;
        }

        return new MessageTypeTable(firsts, lasts, owners);
    }

    private static string Describe(IReadOnlyList<ProtocolModule> modules, int layer) =>
        string.Create(CultureInfo.InvariantCulture, $"'{modules[layer].Name}' (layer {layer})");

    private static void Append(StringBuilder conflicts, string conflict)
    {
        if (conflicts.Length > 0)
            conflicts.Append("; ");
        conflicts.Append(conflict);
    }
}
