using System.Text.Json.Serialization;

namespace Netstack.Api.Contracts.Plugins;

/// <summary>
/// The base answer of every plugin call (Docker's <c>Response</c>): <c>{}</c> on success,
/// <c>{"Err": "..."}</c> on failure. Docker reads <see cref="Err"/>, not the status code.
/// </summary>
public sealed class PluginResponse
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Err { get; set; }
}

/// <summary>Answer of <c>/Plugin.Activate</c>: the plugin APIs served (<c>NetworkDriver</c>, <c>IpamDriver</c>).</summary>
public sealed class PluginActivateResponse
{
    public List<string> Implements { get; set; } = [];
}

/// <summary>The names Docker's plugin protocol uses for itself.</summary>
public static class PluginProtocol
{
    /// <summary>Content type of every request and answer (protocol version 1.2).</summary>
    public const string ContentType = "application/vnd.docker.plugins.v1.2+json";

    public const string NetworkDriver = "NetworkDriver";

    public const string IpamDriver = "IpamDriver";

    /// <summary>The generic option map Docker puts the user's <c>-o</c> options in.</summary>
    public const string GenericOptions = "com.docker.network.generic";

    public const string EnableIPv6Option = "com.docker.network.enable_ipv6";

    public const string InternalOption = "com.docker.network.internal";

    /// <summary>Published ports, a list of <see cref="PluginPortBinding"/> (in the sandbox's labels).</summary>
    public const string PortMapOption = "com.docker.network.portmap";

    /// <summary>Exposed ports, a list of <see cref="PluginTransportPort"/>.</summary>
    public const string ExposedPortsOption = "com.docker.network.endpoint.exposedports";

    /// <summary>IPAM option on a gateway's address request.</summary>
    public const string RequestAddressType = "RequestAddressType";
}
