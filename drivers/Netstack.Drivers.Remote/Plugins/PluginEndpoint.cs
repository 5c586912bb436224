namespace Netstack.Drivers.Remote.Plugins;

/// <summary>Client TLS settings from a plugin's <c>.json</c> file (Docker's <c>TLSConfig</c>).</summary>
public sealed record PluginTls
{
    public bool InsecureSkipVerify { get; init; }

    public string? CAFile { get; init; }

    public string? CertFile { get; init; }

    public string? KeyFile { get; init; }
}

/// <summary>
/// A discovered plugin: its name, where it listens (<c>unix:///path</c>, <c>tcp://host:port</c>,
/// <c>http(s)://host:port</c>) and the file that said so (for messages).
/// </summary>
public sealed record PluginEndpoint
{
    public required string Name { get; init; }

    public required Uri Address { get; init; }

    /// <summary>The socket, <c>.spec</c> or <c>.json</c> file the plugin was found by.</summary>
    public required string Source { get; init; }

    public PluginTls? Tls { get; init; }

    public bool IsUnixSocket => Address.Scheme == "unix";

    /// <summary>How messages name the plugin: <c>plugin "weave" (unix:///run/docker/plugins/weave.sock)</c>.</summary>
    public override string ToString() => $"plugin \"{Name}\" ({Address})";
}
