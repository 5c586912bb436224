using System.Text.Json.Serialization;

namespace Netstack.Runtime.Storage;

/// <summary>Source-generated (reflection-free) JSON for the files the runtime persists.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(Images.ImageRecord))]
[JsonSerializable(typeof(Containers.ContainerInfo))]
internal sealed partial class RuntimeJsonContext : JsonSerializerContext;
