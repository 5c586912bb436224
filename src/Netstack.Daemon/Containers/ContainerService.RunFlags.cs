using System.Globalization;
using Netstack.Api.Contracts.Containers;
using Netstack.Api.Mounts;
using Netstack.Core;
using Netstack.Runtime.Containers;

namespace Netstack.Daemon.Containers;

/// <summary>
/// HostConfig's mounts (Binds, Mounts, Tmpfs), DNS search domains and options, and the stop signal
/// and timeout, checked with Docker's syntax (the field and the value named in every refusal) and
/// turned into the runtime's spec before anything is created.
/// </summary>
internal sealed partial class ContainerService
{
    internal static IReadOnlyList<ContainerMount> ToMounts(HostConfig? host)
    {
        var mounts = new List<ContainerMount>();
        foreach (var bind in host?.Binds ?? [])
        {
            if (bind is null)
            {
                throw new InvalidParameterException("HostConfig.Binds", null, "an entry is null: give HOSTPATH:CONTAINERPATH[:ro]");
            }
            mounts.Add(Checked("HostConfig.Binds", bind, () => MountSpecs.ParseBind(bind)));
        }
        foreach (var mount in host?.Mounts ?? [])
        {
            if (mount is null)
            {
                throw new InvalidParameterException("HostConfig.Mounts", null, "an entry is null");
            }
            var described = $"type={mount.Type},source={mount.Source},target={mount.Target}";
            mounts.Add(Checked("HostConfig.Mounts", described, () => MountSpecs.FromEngine(mount)));
        }
        foreach (var (target, options) in host?.Tmpfs ?? [])
        {
            var described = string.IsNullOrEmpty(options) ? target : target + ":" + options;
            mounts.Add(Checked("HostConfig.Tmpfs", described, () => MountSpecs.ParseTmpfs(target, options ?? "")));
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var mount in mounts)
        {
            if (!seen.Add(mount.Destination.TrimEnd('/')))
            {
                throw new InvalidParameterException("HostConfig.Binds", mount.Destination, "duplicate mount point: one mount per container path");
            }
        }
        return mounts;

        static ContainerMount Checked(string field, string value, Func<MountSpec> parse)
        {
            MountSpec spec;
            try
            {
                spec = parse();
            }
            catch (FormatException e)
            {
                throw new InvalidParameterException(field, value, e.Message);
            }
            // Docker creates a missing source directory for -v; netstack refuses it, so a typo does
            // not become an empty directory on the host (issue 14).
            if (spec.Type == ContainerMount.Bind && !Directory.Exists(spec.Source) && !File.Exists(spec.Source))
            {
                throw new InvalidParameterException(field, value, $"bind source path does not exist: {spec.Source}");
            }
            return new ContainerMount(spec.Type, spec.Source, spec.Target, spec.ReadOnly, spec.Options);
        }
    }

    // A search domain as resolv.conf(5) takes it: a name, at most 253 characters (Docker's limit).
    internal static (IReadOnlyList<string> Search, IReadOnlyList<string> Options) ToDnsSettings(HostConfig? host)
    {
        var search = host?.DnsSearch ?? [];
        foreach (var domain in search)
        {
            if (domain is null)
            {
                throw new InvalidParameterException("HostConfig.DnsSearch", null, "an entry is null");
            }
            // "." alone means "no search domains", as Docker passes it.
            if (domain != "." && (domain.Length is 0 or > 253 || domain.StartsWith('-') || domain.StartsWith('.')
                || !domain.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_')))
            {
                throw new InvalidParameterException("HostConfig.DnsSearch", domain, "not a domain name (letters, digits, '-' and '.')");
            }
        }
        var options = host?.DnsOptions ?? [];
        foreach (var option in options)
        {
            if (option is null)
            {
                throw new InvalidParameterException("HostConfig.DnsOptions", null, "an entry is null");
            }
            if (option.Length == 0 || option.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            {
                throw new InvalidParameterException("HostConfig.DnsOptions", option, "one resolv.conf option without blanks, e.g. ndots:2 or timeout:3");
            }
        }
        return (search.Where(d => d != ".").ToList(), [.. options]);
    }

    internal static (string? Signal, int? Timeout) ToStopSettings(ContainerConfig request)
    {
        if (!string.IsNullOrEmpty(request.StopSignal))
        {
            try
            {
                _ = Signals.Parse(request.StopSignal);
            }
            catch (Runtime.RuntimeException e)
            {
                throw new InvalidParameterException("StopSignal", request.StopSignal, e.Message);
            }
        }
        if (request.StopTimeout is < -1)
        {
            throw new InvalidParameterException("StopTimeout", request.StopTimeout.Value.ToString(CultureInfo.InvariantCulture), "seconds to wait, 0 or more (-1 waits for ever)");
        }
        return (string.IsNullOrEmpty(request.StopSignal) ? null : request.StopSignal, request.StopTimeout);
    }

    /// <summary>The container's resolv.conf in its own sandbox: the embedded resolver's, or its servers directly (the default bridge).</summary>
    private static string? ResolvConfOf(ContainerInfo info, bool embeddedDns) =>
        embeddedDns ? HostsFile.EmbeddedResolvConf(info.DnsSearch, info.DnsOptions) : HostsFile.ResolvConf(info.Dns, info.DnsSearch, info.DnsOptions);
}
