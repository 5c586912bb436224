using System.CommandLine;

namespace Netstack.Daemon.Hosting;

/// <summary>
/// netstackd's flags. Each flag is a configuration key (its long name without dashes), layered
/// over the config file; adding a setting means adding an option here and a property to
/// <see cref="DaemonOptions"/> (or another options class bound from the same configuration).
/// </summary>
internal sealed class DaemonCommandLine
{
    public DaemonCommandLine()
    {
        Root = new RootCommand("netstackd: the netstack daemon (container networks and the minimal container runtime)")
        {
            ConfigFile,
        };
        Flag(new Option<string?>("--root") { Description = "Persistent state directory (default /var/lib/netstack)" });
        Flag(new Option<string?>("--exec-root") { Description = "Runtime state directory (default /run/netstack)" });
        Flag(new Option<string?>("--host", "-H") { Description = $"API socket (default {DaemonOptions.DefaultHost})" });
        Flag(new Option<string?>("--group", "-G") { Description = $"Group of the API socket, a name or a gid (default {DaemonOptions.DefaultGroup}, root's group when it does not exist)" });
        Flag(new Option<string?>("--log-level", "-l") { Description = "debug, info, warn, error or fatal (default info)" });
        Flag(new Option<string?>("--firewall-backend") { Description = "How firewall rules are written: iptables (default, iptables-restore) or nftables (nf_tables over netlink, tables ip/ip6 netstack)" });
        ListFlag(new Option<string[]>("--dns") { Description = "DNS server the containers' resolvers forward to (repeatable; default: the host's resolv.conf)" });
        Gossip.GossipRegistration.AddFlags(this);
        Cluster.ClusterRegistration.AddFlags(this);
        Overlay.OverlayRegistration.AddFlags(this);
        Plugin.PluginRegistration.AddFlags(this);
        RemoteDrivers.RemoteDriverRegistration.AddFlags(this);
        Upstream.UpstreamRegistration.AddFlags(this);
    }

    public RootCommand Root { get; }

    public Option<string?> ConfigFile { get; } = new("--config-file") { Description = $"Daemon configuration file (default {DaemonOptions.DefaultConfigFile})" };

    /// <summary>Single-valued flags by configuration key.</summary>
    public List<(string Key, Option<string?> Option)> Flags { get; } = [];

    /// <summary>Repeatable flags by configuration key (bound as arrays: <c>key:0</c>, <c>key:1</c>...).</summary>
    public List<(string Key, Option<string[]> Option)> ListFlags { get; } = [];

    public void Flag(Option<string?> option)
    {
        ArgumentNullException.ThrowIfNull(option);
        Root.Add(option);
        Flags.Add((option.Name.TrimStart('-'), option));
    }

    /// <summary>Flags without a value, bound as <c>key: "true"</c> when given.</summary>
    public List<(string Key, Option<bool> Option)> SwitchFlags { get; } = [];

    public void SwitchFlag(Option<bool> option)
    {
        ArgumentNullException.ThrowIfNull(option);
        Root.Add(option);
        SwitchFlags.Add((option.Name.TrimStart('-'), option));
    }

    public void ListFlag(Option<string[]> option)
    {
        ArgumentNullException.ThrowIfNull(option);
        Root.Add(option);
        ListFlags.Add((option.Name.TrimStart('-'), option));
    }

    /// <summary>The flags given, as configuration keys and values (absent flags leave the file's value).</summary>
    public Dictionary<string, string?> ToConfiguration(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, option) in Flags)
        {
            if (parse.GetValue(option) is { } value)
            {
                values[key] = value;
            }
        }
        foreach (var (key, option) in SwitchFlags)
        {
            if (parse.GetResult(option) is not null && parse.GetValue(option))
            {
                values[key] = "true";
            }
        }
        foreach (var (key, option) in ListFlags)
        {
            var items = parse.GetValue(option) ?? [];
            for (var i = 0; i < items.Length; i++)
            {
                values[$"{key}:{i}"] = items[i];
            }
        }
        return values;
    }
}
