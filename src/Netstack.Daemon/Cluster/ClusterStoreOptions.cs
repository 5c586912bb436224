using Microsoft.Extensions.Configuration;
using Netstack.Store.Etcd;

namespace Netstack.Daemon.Cluster;

/// <summary>
/// The global store settings, bound from the daemon's configuration with Docker's names:
/// <c>--cluster-store etcd://HOST:2379[,HOST:2379...]</c> and <c>--cluster-store-opt KEY=VALUE</c>
/// (repeatable) on the command line; <c>"cluster-store"</c> and <c>"cluster-store-opts": {"kv.prefix": "/netstack"}</c>
/// in daemon.json. Without a store the daemon is single-host and refuses global networks.
/// </summary>
public sealed class ClusterStoreOptions
{
    [ConfigurationKeyName("cluster-store")]
    public string? ClusterStore { get; set; }

    /// <summary>From the command line: <c>KEY=VALUE</c> items.</summary>
    [ConfigurationKeyName("cluster-store-opt")]
    public string[] ClusterStoreOpt { get; set; } = [];

    /// <summary>From daemon.json: a map, as dockerd's <c>cluster-store-opts</c>.</summary>
    [ConfigurationKeyName("cluster-store-opts")]
    public Dictionary<string, string> ClusterStoreOpts { get; set; } = new(StringComparer.Ordinal);

    public bool Enabled => !string.IsNullOrWhiteSpace(ClusterStore);

    /// <summary>The etcd settings; bad values throw <see cref="Core.InvalidParameterException"/> naming the flag and the value.</summary>
    public EtcdStoreOptions Resolve()
    {
        var opts = new Dictionary<string, string>(ClusterStoreOpts, StringComparer.Ordinal);
        foreach (var item in ClusterStoreOpt)
        {
            var eq = item.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new Core.InvalidParameterException("cluster-store-opt", item, "expected KEY=VALUE (kv.cacertfile, kv.certfile, kv.keyfile, kv.prefix)");
            }
            opts[item[..eq]] = item[(eq + 1)..];
        }
        return EtcdStoreOptions.Parse(ClusterStore ?? string.Empty, opts);
    }
}
