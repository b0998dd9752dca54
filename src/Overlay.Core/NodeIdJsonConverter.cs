using System.Text.Json;
using System.Text.Json.Serialization;

namespace Overlay;

/// <summary>Writes a <see cref="NodeId"/> as its text, "a.b.c.d:port", and reads it back; also as a dictionary key.</summary>
/// <remarks>The observer's status reports carry node identities this way, so the JSON stays readable and stable.</remarks>
public sealed class NodeIdJsonConverter : JsonConverter<NodeId>
{
    /// <inheritdoc />
    public override NodeId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
            throw new JsonException($"A node identity is a string \"a.b.c.d:port\", not {reader.TokenType}.");
        return Parse(reader.GetString());
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, NodeId value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.ToString());
    }

    /// <inheritdoc />
    public override NodeId ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Parse(reader.GetString());

    /// <inheritdoc />
    public override void WriteAsPropertyName(Utf8JsonWriter writer, NodeId value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WritePropertyName(value.ToString());
    }

    private static NodeId Parse(string? text)
    {
        try
        {
            return NodeId.Parse(text ?? string.Empty);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            throw new JsonException($"\"{text}\" is not a node identity (a.b.c.d:port).", ex);
        }
    }
}
