using Microsoft.Extensions.Options;

namespace Netstack.Daemon.Hosting;

/// <summary>Checks <see cref="DaemonOptions"/> at start; each failure names the setting and the bad value.</summary>
internal sealed class DaemonOptionsValidator : IValidateOptions<DaemonOptions>
{
    public ValidateOptionsResult Validate(string? name, DaemonOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!options.Host.StartsWith("unix:///", StringComparison.Ordinal) || options.Host.Length <= "unix:///".Length)
        {
            failures.Add($"host \"{options.Host}\": expected unix:///absolute/path/to/socket");
        }
        else if (options.SocketPath.Length >= 108)
        {
            // sockaddr_un.sun_path is 108 bytes including the terminating NUL.
            failures.Add($"host \"{options.Host}\": a unix socket path must be shorter than 108 bytes");
        }
        if (!Path.IsPathFullyQualified(options.Root))
        {
            failures.Add($"root \"{options.Root}\": must be an absolute path");
        }
        if (!Path.IsPathFullyQualified(options.ExecRoot))
        {
            failures.Add($"exec-root \"{options.ExecRoot}\": must be an absolute path");
        }
        if (DaemonOptions.ParseLogLevel(options.LogLevel) is null)
        {
            failures.Add($"log-level \"{options.LogLevel}\": expected debug, info, warn, error or fatal");
        }
        if (string.IsNullOrEmpty(options.Group))
        {
            failures.Add("group \"\": expected a group name or a numeric gid");
        }
        else if (options.Group != DaemonOptions.DefaultGroup && SocketFile.GroupId(options.Group) is null)
        {
            failures.Add($"group \"{options.Group}\": no such group");
        }
        foreach (var server in options.Dns)
        {
            if (!System.Net.IPAddress.TryParse(server, out _))
            {
                failures.Add($"dns \"{server}\": expected an IPv4 or IPv6 address");
            }
        }
        if (!Netstack.Firewall.FirewallBackends.TryParse(options.FirewallBackend, out var backend))
        {
            failures.Add($"firewall-backend \"{options.FirewallBackend}\": expected iptables or nftables");
        }
        else if (backend == Netstack.Firewall.FirewallBackend.Nftables)
        {
            try
            {
                // A throwaway table written and deleted in one batch: the kernel has nf_tables and the
                // expressions the rules use, or the daemon stops here instead of at the first network.
                Netstack.Firewall.Nftables.NftablesFirewall.Probe();
            }
            catch (Netstack.Firewall.FirewallException e)
            {
                failures.Add($"firewall-backend \"{options.FirewallBackend}\": this kernel cannot take netstack's nftables rules ({e.Message}); use --firewall-backend iptables");
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
