using System.Diagnostics;
using System.Globalization;
using Netstack.Core;
using Netstack.Store.Etcd;
using Netstack.TestKit;

namespace Netstack.Privileged.Tests.ClusterStore;

/// <summary>
/// Real etcd members (Debian's etcd-server), each inside a namespace host of a test LAN
/// (<c>nsenter --net</c>, so the pid started is etcd's), on non-default ports (client 23790, peer
/// 23800), data in a temporary directory. Members are stopped by their pid and can be started again
/// on the same data. Dispose stops them all and removes the data.
/// </summary>
internal sealed class EtcdCluster : IAsyncDisposable
{
    public const int ClientPort = 23790;
    public const int PeerPort = 23800;

    private readonly string _dataRoot = System.IO.Directory.CreateTempSubdirectory("nst-etcd-").FullName;
    private readonly (string Name, string NamespacePath, string Ip)[] _members;
    private readonly Process?[] _processes;
    private readonly string _token = "nst-" + Guid.NewGuid().ToString("N")[..8];

    private EtcdCluster((string, string, string)[] members)
    {
        _members = members;
        _processes = new Process?[members.Length];
    }

    /// <summary>The store URL with every member: <c>etcd://IP:23790,IP:23790...</c>.</summary>
    public string Url => "etcd://" + string.Join(',', _members.Select(m => $"{m.Ip}:{ClientPort}"));

    public int Count => _members.Length;

    /// <summary>Starts one member per (name, namespace file, LAN address) and waits until the cluster answers.</summary>
    public static async Task<EtcdCluster> StartAsync(params (string Name, string NamespacePath, string Ip)[] members)
    {
        var cluster = new EtcdCluster(members);
        try
        {
            for (var i = 0; i < members.Length; i++)
            {
                cluster.Launch(i);
            }
            await cluster.WaitReadyAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Keys under <c>/netstack/PREFIX</c> (without the store prefix), read with etcdctl inside a
    /// member's namespace host: the test process itself is not on the lab's LAN.
    /// </summary>
    public IReadOnlyList<string> Keys(string prefix, int via = -1)
    {
        var output = Etcdctl(via, "get", EtcdStoreOptions.DefaultPrefix + "/" + prefix, "--prefix", "--keys-only");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(k => k[(EtcdStoreOptions.DefaultPrefix.Length + 1)..]).ToArray();
    }

    /// <summary>
    /// Every key under the store prefix <paramref name="storePrefix"/> (a daemon's <c>kv.prefix</c>)
    /// with its value, the prefix and its slash taken off the keys; read with etcdctl as <see cref="Keys"/>.
    /// </summary>
    public IReadOnlyDictionary<string, byte[]> Entries(string storePrefix)
    {
        var output = Etcdctl(-1, "get", storePrefix + "/", "--prefix", "-w", "json");
        using var doc = System.Text.Json.JsonDocument.Parse(output);
        var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        if (doc.RootElement.TryGetProperty("kvs", out var kvs))
        {
            foreach (var kv in kvs.EnumerateArray())
            {
                var key = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(kv.GetProperty("key").GetString()!));
                var value = kv.TryGetProperty("value", out var v) ? Convert.FromBase64String(v.GetString()!) : [];
                entries[key[(storePrefix.Length + 1)..]] = value;
            }
        }
        return entries;
    }

    /// <summary>Writes a raw value (for garbage tests).</summary>
    public void Put(string key, string value) => Etcdctl(-1, "put", EtcdStoreOptions.DefaultPrefix + "/" + key, value);

    /// <summary>Runs etcdctl in the namespace of member <paramref name="via"/> (-1: the first one running) against the whole cluster.</summary>
    private string Etcdctl(int via, params string[] args)
    {
        var member = via >= 0 ? via : Array.FindIndex(_processes, p => p is { HasExited: false });
        var endpoints = string.Join(',', _members.Select(m => $"http://{m.Ip}:{ClientPort}"));
        var (exit, output, error) = TestNamespace.TryRun("nsenter", ["--net=" + _members[Math.Max(member, 0)].NamespacePath, "etcdctl", "--endpoints", endpoints, "--command-timeout=5s", .. args]);
        if (exit != 0)
        {
            throw new UnavailableException($"etcdctl {string.Join(' ', args)}: {error.Trim()}");
        }
        return output;
    }

    /// <summary>
    /// The index of the member that leads the cluster now, from each member's own
    /// <c>endpoint status</c> (its member id and the leader id it knows).
    /// </summary>
    public int LeaderIndex()
    {
        using var doc = System.Text.Json.JsonDocument.Parse(Etcdctl(-1, "endpoint", "status", "-w", "json"));
        foreach (var entry in doc.RootElement.EnumerateArray())
        {
            var status = entry.GetProperty("Status");
            if (status.GetProperty("header").GetProperty("member_id").GetUInt64() == status.GetProperty("leader").GetUInt64())
            {
                var endpoint = entry.GetProperty("Endpoint").GetString()!;
                return Array.FindIndex(_members, m => endpoint == $"http://{m.Ip}:{ClientPort}");
            }
        }
        throw new InvalidOperationException("no member reports itself as the leader");
    }

    /// <summary><c>kill -9</c> of one member.</summary>
    public async Task KillAsync(int member)
    {
        if (_processes[member] is { HasExited: false } p)
        {
            TestNamespace.TryRun("kill", "-9", p.Id.ToString(CultureInfo.InvariantCulture));
            await p.WaitForExitAsync();
        }
    }

    /// <summary>Starts a stopped member again on its data and waits until the cluster answers.</summary>
    public async Task StartAgainAsync(int member)
    {
        Launch(member);
        await WaitReadyAsync();
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = 0; i < _processes.Length; i++)
        {
            await KillAsync(i);
            _processes[i]?.Dispose();
        }
        System.IO.Directory.Delete(_dataRoot, recursive: true);
    }

    private void Launch(int i)
    {
        var (name, ns, ip) = _members[i];
        var initial = string.Join(',', _members.Select(m => $"{m.Name}=http://{m.Ip}:{PeerPort}"));
        var start = new ProcessStartInfo("nsenter") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
        {
            "--net=" + ns, "etcd", "--name", name, "--data-dir", Path.Combine(_dataRoot, name),
            "--listen-client-urls", $"http://{ip}:{ClientPort}", "--advertise-client-urls", $"http://{ip}:{ClientPort}",
            "--listen-peer-urls", $"http://{ip}:{PeerPort}", "--initial-advertise-peer-urls", $"http://{ip}:{PeerPort}",
            "--initial-cluster", initial, "--initial-cluster-token", _token, "--log-level", "error",
        })
        {
            start.ArgumentList.Add(arg);
        }
        _processes[i]?.Dispose();
        var p = Process.Start(start) ?? throw new InvalidOperationException("etcd did not start");
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _processes[i] = p;
    }

    private async Task WaitReadyAsync()
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                Etcdctl(-1, "put", "/probe/ready", "1");
                return;
            }
            catch (UnavailableException) when (attempt < 60)
            {
                // A readiness wait on a loaded machine, not a measurement.
                await Task.Delay(250);
            }
        }
    }
}
