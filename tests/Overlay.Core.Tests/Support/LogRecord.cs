using Microsoft.Extensions.Logging;

namespace Overlay.Core.Tests.Support;

/// <summary>One record a <see cref="CapturingLoggerFactory"/> logger wrote: its category, level, text and named values.</summary>
internal sealed record LogRecord(string Category, LogLevel Level, string Message, IReadOnlyDictionary<string, object?> Values);
