using Netstack.Core;
using Netstack.Upstream.Mapping;

namespace Netstack.Daemon.Upstream;

/// <summary>
/// The per-container and per-network opt-in: only what the user marks is exposed on the router,
/// even with <c>--upstream-portmap</c> on. A container's label wins over its network's.
/// </summary>
internal static class UpstreamLabels
{
    /// <summary><c>true</c> maps the container's (or the network's containers') published ports upstream; <c>false</c> keeps them off.</summary>
    public const string Enable = "netstack.upstream-portmap";

    /// <summary><c>next</c> or <c>fail</c>: what to do when the external port is taken (default: the daemon's <c>--upstream-portmap-conflict</c>).</summary>
    public const string Conflict = "netstack.upstream-portmap.conflict";

    /// <exception cref="InvalidParameterException">A label with a value that is not one of its own, named.</exception>
    public static void Validate(IReadOnlyDictionary<string, string>? labels)
    {
        if (labels is null)
        {
            return;
        }
        if (labels.TryGetValue(Enable, out var enable) && ParseBool(enable) is null)
        {
            throw new InvalidParameterException($"Labels[{Enable}]", enable, "expected true or false");
        }
        if (labels.TryGetValue(Conflict, out var conflict) && PortMapperOptions.ParseConflict(conflict) is null)
        {
            throw new InvalidParameterException($"Labels[{Conflict}]", conflict, "expected next or fail");
        }
    }

    /// <summary>Whether a container opted in: its own label, else its network's.</summary>
    public static bool OptedIn(IReadOnlyDictionary<string, string> container, IReadOnlyDictionary<string, string>? network) =>
        (container.TryGetValue(Enable, out var own) ? ParseBool(own) : null)
        ?? (network is not null && network.TryGetValue(Enable, out var shared) ? ParseBool(shared) : null)
        ?? false;

    public static ConflictPolicy? ConflictOf(IReadOnlyDictionary<string, string> container, IReadOnlyDictionary<string, string>? network) =>
        container.TryGetValue(Conflict, out var own) ? PortMapperOptions.ParseConflict(own)
        : network is not null && network.TryGetValue(Conflict, out var shared) ? PortMapperOptions.ParseConflict(shared)
        : null;

    private static bool? ParseBool(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "true" or "1" or "yes" => true,
        "false" or "0" or "no" => false,
        _ => null,
    };
}
