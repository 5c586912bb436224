using System.Net;

namespace Netstack.Dns.Resolver;

/// <summary>Settings of one sandbox's resolver.</summary>
public sealed class EmbeddedResolverOptions
{
    /// <summary>The sandbox served; passed to the name source as the asker.</summary>
    public required string SandboxId { get; init; }

    /// <summary>Where other names go, in order (see <see cref="Upstream.UpstreamServers.Choose"/>).</summary>
    public IReadOnlyList<IPEndPoint> UpstreamServers { get; init; } = [];

    /// <summary>
    /// False for sandboxes whose networks are all internal: nothing is forwarded and names not known
    /// locally get SERVFAIL, as Docker's resolver answers when it may not proxy.
    /// </summary>
    public bool ForwardExternal { get; init; } = true;

    /// <summary>Per-server wait for an upstream answer; Docker waits 4 s (extIOTimeout).</summary>
    public TimeSpan UpstreamTimeout { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>TTL of local answers; Docker uses 600 s.</summary>
    public uint Ttl { get; init; } = 600;

    /// <summary>Forwarded queries in flight at once; more are dropped (the client retries). Docker allows 100.</summary>
    public int MaxConcurrentForwards { get; init; } = 100;

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(SandboxId))
        {
            throw new ArgumentException($"{nameof(SandboxId)} is empty; give the sandbox the resolver serves", nameof(SandboxId));
        }

        if (UpstreamTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(UpstreamTimeout), UpstreamTimeout, "the upstream timeout must be positive");
        }

        if (MaxConcurrentForwards < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrentForwards), MaxConcurrentForwards, "at least one forwarded query must be allowed");
        }

        foreach (var server in UpstreamServers)
        {
            if (server.Port is 0)
            {
                throw new ArgumentOutOfRangeException(nameof(UpstreamServers), server, "an upstream server needs a port (53)");
            }
        }
    }
}
