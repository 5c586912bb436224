namespace Netstack.Api.Contracts.Containers;

/// <summary>The engine's <c>{}</c> values, as in <c>ExposedPorts: {"80/tcp": {}}</c>.</summary>
public sealed class EmptyObject
{
}
