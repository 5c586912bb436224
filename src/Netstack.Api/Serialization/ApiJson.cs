using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Netstack.Api.Serialization;

/// <summary>Shared serializer settings: the wire form (compact) and the form shown to people (indented).</summary>
public static class ApiJson
{
    /// <summary>Compact, as on the wire.</summary>
    public static JsonSerializerOptions Wire => ApiJsonContext.Default.Options;

    /// <summary>Indented with the same source-generated metadata, for <c>inspect</c> and <c>--format json</c>.</summary>
    public static JsonSerializerOptions Indented { get; } = new(ApiJsonContext.Default.Options)
    {
        WriteIndented = true,
        IndentSize = 4,
        // The engine's CLI prints "<" and "&" as is; the default encoder would escape them.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Metadata for <typeparamref name="T"/> from <paramref name="options"/>; throws for a type the context lacks.</summary>
    public static JsonTypeInfo<T> Info<T>(JsonSerializerOptions options) => (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
}
