using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using Overlay.Algorithms;
using Overlay.Observer.Client;

namespace Overlay.Docs.Tests;

/// <summary>
/// Every log message of the shipped packages has a stable event id and name of its own, and docs/diagnostics.md
/// lists each one: ids are what users filter and alert on, so they must neither be missing nor collide.
/// </summary>
public sealed partial class LogEventIdTests
{
    private static readonly Assembly[] Shipped =
    [
        typeof(OverlayNode).Assembly,
        typeof(GossipAlgorithm).Assembly,
        typeof(OverlayObserver).Assembly,
    ];

    [Test]
    public void EveryLogMessageHasAnEventIdAndName()
    {
        var messages = LogMessages(Shipped);
        Assert.That(messages, Is.Not.Empty, "no [LoggerMessage] found: the reflection below is broken");
        Assert.Multiple(() =>
        {
            foreach (var (method, attribute) in messages)
            {
                Assert.That(attribute.EventId, Is.GreaterThan(0), $"{Describe(method)} has no event id");
                Assert.That(attribute.EventName, Is.Not.Null.And.Not.Empty, $"{Describe(method)} has no event name");
            }
        });
    }

    [Test]
    public void NoTwoLogMessagesShareAnEventIdOrName()
    {
        var messages = LogMessages(Shipped);
        Assert.Multiple(() =>
        {
            foreach (var group in messages.GroupBy(m => m.Attribute.EventId).Where(g => g.Count() > 1))
                Assert.Fail($"event id {group.Key} is used by {string.Join(", ", group.Select(m => Describe(m.Method)))}");
            foreach (var group in messages.GroupBy(m => m.Attribute.EventName, StringComparer.Ordinal).Where(g => g.Count() > 1))
                Assert.Fail($"event name {group.Key} is used by {string.Join(", ", group.Select(m => Describe(m.Method)))}");
        });
    }

    [Test]
    public void TheDocumentationListsEveryEventIdAsDeclared()
    {
        var text = File.ReadAllText(Path.Combine(DocSnippets.RepositoryRoot, "docs", "diagnostics.md"));
        var documented = DocumentedRow().Matches(text).ToDictionary(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), m => m.Groups[2].Value);
        var declared = LogMessages(Shipped).ToDictionary(m => m.Attribute.EventId, m => m.Attribute.EventName);
        Assert.That(documented, Is.EquivalentTo(declared), "docs/diagnostics.md's event table differs from the [LoggerMessage] declarations");
    }

    [Test]
    public void AMessageWithoutAnIdIsFound()
    {
        // The check itself: a declaration without an id (this class's own) is reported.
        LogWithoutId(Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var messages = LogMessages([typeof(LogEventIdTests).Assembly]);
        Assert.That(messages.Select(m => m.Attribute.EventId), Has.Member(-1));
    }

    private static List<(MethodInfo Method, LoggerMessageAttribute Attribute)> LogMessages(IEnumerable<Assembly> assemblies)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        return [.. assemblies
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(all))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()!))
            .Where(m => m.Attribute is not null)];
    }

    private static string Describe(MethodInfo method) => $"{method.DeclaringType?.FullName}.{method.Name}";

    // A row of the event table: "| 1001 | `NodeStarted` | …".
    [GeneratedRegex(@"^\|\s*(\d{4})\s*\|\s*`(\w+)`\s*\|", RegexOptions.Multiline)]
    private static partial Regex DocumentedRow();

    [LoggerMessage(Level = LogLevel.Debug, Message = "A message without an id")]
    private static partial void LogWithoutId(ILogger logger);
}
