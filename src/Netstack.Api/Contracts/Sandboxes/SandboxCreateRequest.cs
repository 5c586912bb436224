namespace Netstack.Api.Contracts.Sandboxes;

/// <summary>Body of netstack's <c>POST /sandboxes/create</c>: a named network namespace any process can join.</summary>
public sealed class SandboxCreateRequest
{
    public string? Name { get; set; }

    /// <summary>Host name written to the sandbox's <c>/etc/hostname</c> and <c>/etc/hosts</c>; the name when empty.</summary>
    public string? Hostname { get; set; }

    /// <summary>Upstream DNS servers for the sandbox's resolver.</summary>
    public List<string>? Dns { get; set; }
}
