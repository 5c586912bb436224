using Netstack.Privileged.Tests.Api;
using Netstack.Privileged.Tests.ClusterStore;
using Netstack.Privileged.Tests.GossipDaemon;
using Xunit;

namespace Netstack.Privileged.Tests.FailPoints;

/// <summary>A daemon's share of the global store: the etcd it was pointed at and its own <c>kv.prefix</c> there.</summary>
internal sealed record GlobalStore(EtcdCluster Etcd, string Prefix)
{
    /// <summary>The daemon's node name (<c>--node-name</c>), in its attachment keys.</summary>
    public const string Node = "fp";
}

/// <summary>
/// One real etcd (Debian's etcd-server) for a class of fail-point cases, on a test LAN of its own
/// (<see cref="NamespaceLan"/>, <see cref="EtcdCluster"/>: nothing in the machine's namespace).
/// Each case's daemon gets a fresh host namespace plugged into that LAN, its own key prefix in
/// etcd (<c>--cluster-store-opt kv.prefix=/fp-RAND</c>, so cases never see each other's keys) and
/// <c>--advertise-addr</c> on the LAN, so it can make overlay networks. The etcd outlives the
/// daemons' restarts, as a cluster store outlives any one host.
/// </summary>
public sealed class FailPointEtcd : IAsyncLifetime
{
    private NamespaceLan? _lan;
    private EtcdCluster? _etcd;
    private int _next;

    public async Task InitializeAsync()
    {
        if (!Netstack.TestKit.Privileges.IsRoot)
        {
            // The cases are skipped (PrivilegedTheory): nothing to start for them.
            return;
        }
        _lan = NamespaceLan.Create("e");
        _etcd = await EtcdCluster.StartAsync(("e", _lan.NamespacePath("e"), _lan.SubnetPrefix + ".1"));
    }

    /// <summary>A netstackd on a fresh host on the LAN with the cluster store, <paramref name="environment"/> set from its first launch on.</summary>
    internal async Task<(NetstackdProcess Daemon, GlobalStore Store)> StartDaemonAsync(IReadOnlyDictionary<string, string>? environment)
    {
        var lan = _lan ?? throw new InvalidOperationException("the fixture is not initialized");
        // .1 is etcd; the others are handed out in turn (one daemon at a time per class; its veth
        // goes with its host namespace, so an address is free again after its case).
        var number = 2 + (Interlocked.Increment(ref _next) % 250);
        var address = $"{lan.SubnetPrefix}.{number}";
        var store = new GlobalStore(_etcd!, "/fp-" + Guid.NewGuid().ToString("N")[..8]);
        var daemon = await NetstackdProcess.StartAsync(host => lan.Attach(host.Name, number), environment,
            "--cluster-store", _etcd!.Url, "--cluster-store-opt", "kv.prefix=" + store.Prefix,
            "--node-name", GlobalStore.Node, "--advertise-addr", address);
        return (daemon, store);
    }

    public async Task DisposeAsync()
    {
        if (_etcd is not null)
        {
            await _etcd.DisposeAsync();
        }
        _lan?.Dispose();
    }
}
