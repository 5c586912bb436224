using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;
using Netstack.Upstream.Mapping;

namespace Netstack.Daemon.Upstream;

/// <summary>
/// Upstream port mapping (<c>--upstream-portmap auto|upnp|natpmp|pcp|off</c>, default off;
/// <c>--upstream-portmap-lease SECONDS</c>, <c>--upstream-portmap-conflict next|fail</c>,
/// <c>--upstream-portmap-gateway IP</c>; the same keys in daemon.json). Off by default: most
/// servers have no router to ask, and a daemon must not talk to one nobody asked it to.
/// </summary>
public sealed class UpstreamOptions
{
    [ConfigurationKeyName("upstream-portmap")]
    public string Mode { get; set; } = "off";

    /// <summary>The lease asked for, in seconds (routers may grant less); renewed at half.</summary>
    [ConfigurationKeyName("upstream-portmap-lease")]
    public string Lease { get; set; } = "3600";

    /// <summary>The default when an external port is taken; a container's label may choose otherwise.</summary>
    [ConfigurationKeyName("upstream-portmap-conflict")]
    public string Conflict { get; set; } = "next";

    /// <summary>The router to ask; empty: the default route's gateway.</summary>
    [ConfigurationKeyName("upstream-portmap-gateway")]
    public string? Gateway { get; set; }

    public UpstreamMode ParsedMode() => PortMapperOptions.ParseMode(Mode) ?? UpstreamMode.Off;

    public TimeSpan ParsedLease() => TimeSpan.FromSeconds(int.Parse(Lease, NumberStyles.None, CultureInfo.InvariantCulture));

    public ConflictPolicy ParsedConflict() => PortMapperOptions.ParseConflict(Conflict) ?? ConflictPolicy.Next;

    public IPAddress? ParsedGateway() => string.IsNullOrEmpty(Gateway) ? null : IPAddress.Parse(Gateway);
}

/// <summary>Checks <see cref="UpstreamOptions"/> at start; each failure names the setting and the bad value.</summary>
internal sealed class UpstreamOptionsValidator : IValidateOptions<UpstreamOptions>
{
    /// <summary>Below a few seconds every renewal would race the lease; above a day a router reboot goes unnoticed too long.</summary>
    public const int MinLeaseSeconds = 4;
    public const int MaxLeaseSeconds = 86400;

    public ValidateOptionsResult Validate(string? name, UpstreamOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (PortMapperOptions.ParseMode(options.Mode) is null)
        {
            failures.Add($"upstream-portmap \"{options.Mode}\": expected auto, upnp, natpmp, pcp or off");
        }
        if (!int.TryParse(options.Lease, NumberStyles.None, CultureInfo.InvariantCulture, out var lease) || lease is < MinLeaseSeconds or > MaxLeaseSeconds)
        {
            failures.Add($"upstream-portmap-lease \"{options.Lease}\": expected seconds, {MinLeaseSeconds} to {MaxLeaseSeconds}");
        }
        if (PortMapperOptions.ParseConflict(options.Conflict) is null)
        {
            failures.Add($"upstream-portmap-conflict \"{options.Conflict}\": expected next or fail");
        }
        if (!string.IsNullOrEmpty(options.Gateway) && (!Api.Client.StrictAddress.TryParse(options.Gateway, out var gateway) || gateway.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork))
        {
            failures.Add($"upstream-portmap-gateway \"{options.Gateway}\": expected the router's IPv4 address");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
