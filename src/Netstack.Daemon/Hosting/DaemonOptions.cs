using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Netstack.Daemon.Hosting;

/// <summary>
/// netstackd's settings, bound from <c>/etc/netstack/daemon.json</c> and then the command line (flags
/// win). Keys are the flag names: <c>{"root": "...", "exec-root": "...", "host": "unix:///...", "log-level": "info"}</c>.
/// </summary>
public sealed class DaemonOptions
{
    public const string DefaultConfigFile = "/etc/netstack/daemon.json";
    public const string DefaultHost = "unix:///run/netstack/netstack.sock";
    public const string DefaultGroup = "netstack";

    /// <summary>Persistent state: the store, images, container layers (<c>--root</c>).</summary>
    [ConfigurationKeyName("root")]
    public string Root { get; set; } = "/var/lib/netstack";

    /// <summary>Runtime state that does not survive a reboot: the socket, namespaces, bundles (<c>--exec-root</c>).</summary>
    [ConfigurationKeyName("exec-root")]
    public string ExecRoot { get; set; } = "/run/netstack";

    /// <summary>API socket as <c>unix:///path</c> (<c>-H/--host</c>).</summary>
    [ConfigurationKeyName("host")]
    public string Host { get; set; } = DefaultHost;

    /// <summary>
    /// The group of the API and plugin sockets (<c>-G/--group</c>, Docker's flag): a name or a
    /// number. Its members may drive the daemon. The default group may be absent (the sockets then
    /// stay root's group); a group that was asked for must exist.
    /// </summary>
    [ConfigurationKeyName("group")]
    public string Group { get; set; } = DefaultGroup;

    /// <summary><c>debug</c>, <c>info</c>, <c>warn</c>, <c>error</c> or <c>fatal</c>, as dockerd takes it (<c>--log-level</c>).</summary>
    [ConfigurationKeyName("log-level")]
    public string LogLevel { get; set; } = "info";

    /// <summary>
    /// Upstream DNS servers of the sandboxes' resolvers when a container names none (<c>--dns</c>,
    /// repeatable); empty: the host's resolv.conf.
    /// </summary>
    [ConfigurationKeyName("dns")]
    public string[] Dns { get; set; } = [];

    /// <summary>
    /// How the firewall rules are written (<c>--firewall-backend</c>): <c>iptables</c> (the default,
    /// iptables-restore) or <c>nftables</c> (nf_tables over netlink, netstack's own tables
    /// <c>ip netstack</c> and <c>ip6 netstack</c>, no process run). The rules do the same either way.
    /// </summary>
    [ConfigurationKeyName("firewall-backend")]
    public string FirewallBackend { get; set; } = "iptables";

    /// <summary>The <see cref="FirewallBackend"/> parsed (valid after validation).</summary>
    public Netstack.Firewall.FirewallBackend Firewall =>
        Netstack.Firewall.FirewallBackends.TryParse(FirewallBackend, out var backend) ? backend : Netstack.Firewall.FirewallBackend.Iptables;

    /// <summary>The socket file path of <see cref="Host"/> (valid after validation).</summary>
    public string SocketPath => Host.StartsWith("unix://", StringComparison.Ordinal) ? Host["unix://".Length..] : Host;

    /// <summary>The <see cref="LogLevel"/> as a logging level (valid after validation).</summary>
    public LogLevel MinimumLogLevel => ParseLogLevel(LogLevel) ?? Microsoft.Extensions.Logging.LogLevel.Information;

    internal static LogLevel? ParseLogLevel(string? text) => text?.ToLowerInvariant() switch
    {
        "trace" => Microsoft.Extensions.Logging.LogLevel.Trace,
        "debug" => Microsoft.Extensions.Logging.LogLevel.Debug,
        "info" => Microsoft.Extensions.Logging.LogLevel.Information,
        "warn" or "warning" => Microsoft.Extensions.Logging.LogLevel.Warning,
        "error" => Microsoft.Extensions.Logging.LogLevel.Error,
        "fatal" => Microsoft.Extensions.Logging.LogLevel.Critical,
        _ => null,
    };
}
