using System.Collections.Concurrent;
using Overlay.Modules;
using FsProperty = FsCheck.NUnit.PropertyAttribute;

namespace Overlay.Core.Tests.Modules;

/// <summary>
/// Random stacks against a brute-force model: the stack is refused exactly when two declared ranges share a type or
/// one reaches into the engine's types, and an accepted stack's lookup gives every type to the module the model does.
/// </summary>
public class MessageTypeOverlapPropertyTests
{
    [FsProperty(MaxTest = 400)]
    public bool RefusedExactlyOnOverlap_AndOtherwiseEveryTypeFindsItsOwner(int seed)
    {
        var random = new Random(seed);
        var journal = new ConcurrentQueue<(string, string, int)>();
        var declared = new List<(MessageTypeRange Range, int Layer)>();
        var modules = new RecordingModule[random.Next(1, 5)];
        for (var layer = 0; layer < modules.Length; layer++)
        {
            var ranges = new MessageTypeRange[random.Next(0, 4)];
            for (var r = 0; r < ranges.Length; r++)
            {
                ranges[r] = random.Next(12) == 0
                    ? MessageTypeRange.FromCount(MessageTypes.EngineReservedStart - random.Next(1, 4), random.Next(1, 6)) // ends below or in the engine's types
                    : MessageTypeRange.FromCount(random.Next(1, 61), random.Next(1, 9));
                declared.Add((ranges[r], layer));
            }

            modules[layer] = new RecordingModule("M" + layer, journal, ranges);
        }

        var conflict = declared.Any(d => d.Range.Last >= MessageTypes.EngineReservedStart)
            || declared.SelectMany((d, i) => declared.Skip(i + 1), (d, e) => d.Range.Overlaps(e.Range)).Any(o => o);

        ProtocolStack stack;
        try
        {
            stack = new ProtocolStack(modules);
        }
        catch (ArgumentException)
        {
            return conflict;
        }

        if (conflict)
            return false;
        var probes = Enumerable.Range(-1, 75).Concat(Enumerable.Range(MessageTypes.EngineReservedStart - 4, 8));
        foreach (var type in probes)
        {
            var owners = declared.Where(d => d.Range.Contains(type)).Select(d => d.Layer).ToList();
            var expected = owners.Count == 1 ? modules[owners[0]] : null;
            if (!ReferenceEquals(stack.OwnerOf(type), expected))
                return false;
        }

        return true;
    }
}
