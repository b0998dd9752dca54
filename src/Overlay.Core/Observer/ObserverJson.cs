using System.Text.Json;
using System.Text.Json.Serialization;

namespace Overlay.Observer;

/// <summary>The JSON settings of the observer protocol's status and control payloads, shared by both ends.</summary>
internal static class ObserverJson
{
    /// <summary>camelCase names, enums as strings.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };
}
