using System.Globalization;
using System.Text.Json;
using Netstack.Privileged.Tests.Api;
using Netstack.TestKit;

namespace Netstack.Privileged.Tests.FailPoints;

/// <summary>
/// Checks that a netstackd's store, its API and the kernel tell one story, after whatever happened
/// to it (a kill -9, a failed step): every record is finished (no Creating or Deleting left); every
/// name key names its object; every endpoint's network and sandbox exist; IPAM holds exactly the
/// addresses the records explain (gateways, aux addresses, endpoints), none twice, and exactly the
/// pools of the networks; and in the kernel there is no link, namespace, mount, firewall rule,
/// resolver or process that the store does not explain, and nothing the store has is missing.
/// Returns every violation found, not just the first.
/// </summary>
internal static class InvariantChecker
{
    public static async Task<IReadOnlyList<string>> CheckAsync(NetstackdProcess daemon)
    {
        var problems = new List<string>();
        var store = StoreView.Read(daemon.Root);

        // ---- records
        var networks = store.Under("networks/").ToDictionary(e => e.Value.Str("id") ?? e.Key, e => e.Value, StringComparer.Ordinal);
        var sandboxes = store.Under("sandboxes/").ToDictionary(e => e.Value.Str("id") ?? e.Key, e => e.Value, StringComparer.Ordinal);
        var endpoints = store.Under("endpoints/").ToDictionary(e => e.Value.Str("id") ?? e.Key, e => e.Value, StringComparer.Ordinal);
        foreach (var (kind, records) in new[] { ("network", networks), ("sandbox", sandboxes), ("endpoint", endpoints) })
        {
            foreach (var (id, record) in records)
            {
                if (!string.Equals(record.Str("state"), "Ready", StringComparison.OrdinalIgnoreCase))
                {
                    problems.Add($"{kind} {record.Str("name")} ({Short(id)}) is left in state {record.Str("state")}");
                }
            }
        }
        CheckNames(store, "names/networks/", networks, "network", problems);
        CheckNames(store, "names/sandboxes/", sandboxes, "sandbox", problems);
        foreach (var (id, endpoint) in endpoints)
        {
            if (!networks.ContainsKey(endpoint.Str("networkId") ?? ""))
            {
                problems.Add($"endpoint {endpoint.Str("name")} ({Short(id)}) is on network {endpoint.Str("networkId")}, which has no record");
            }
            if (!sandboxes.ContainsKey(endpoint.Str("sandboxId") ?? ""))
            {
                problems.Add($"endpoint {endpoint.Str("name")} ({Short(id)}) is in sandbox {endpoint.Str("sandboxId")}, which has no record");
            }
        }

        // ---- the API says the same
        using (var client = daemon.Client())
        {
            var apiNetworks = (await client.ListNetworksAsync()).Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
            Compare("network", networks.Keys, apiNetworks, problems);
            var apiSandboxes = await client.ListSandboxesAsync();
            Compare("sandbox", sandboxes.Keys, apiSandboxes.Select(s => s.Id), problems);
            Compare("endpoint", endpoints.Keys, apiSandboxes.SelectMany(s => s.Endpoints).Select(e => e.EndpointId), problems);
        }

        // ---- IPAM: addresses and pools
        var explained = new Dictionary<string, string>(StringComparer.Ordinal);
        var subnets = new HashSet<string>(StringComparer.Ordinal);
        foreach (var network in networks.Values)
        {
            foreach (var pool in network.Items("pools"))
            {
                subnets.Add(pool.Str("subnet") ?? "");
                if (pool.Str("gateway") is { } gateway)
                {
                    explained[Address(gateway)] = $"gateway of network {network.Str("name")}";
                }
                foreach (var (name, aux) in pool.Pairs("auxAddresses"))
                {
                    explained[Address(aux)] = $"aux address {name} of network {network.Str("name")}";
                }
            }
        }
        foreach (var endpoint in endpoints.Values)
        {
            foreach (var field in new[] { "ipv4Address", "ipv6Address" })
            {
                if (endpoint.Str(field) is not { } cidr)
                {
                    continue;
                }
                var address = Address(cidr);
                if (explained.TryGetValue(address, out var holder))
                {
                    problems.Add($"address {address} is held twice: by endpoint {endpoint.Str("name")} and by {holder}");
                }
                explained[address] = $"endpoint {endpoint.Str("name")}";
            }
        }
        var allocated = store.Under("ipam/").Where(e => e.Key.Contains("/addresses/", StringComparison.Ordinal))
            .Select(e => e.Key[(e.Key.LastIndexOf('/') + 1)..]).ToList();
        foreach (var duplicate in allocated.GroupBy(a => a, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            problems.Add($"IPAM holds address {duplicate.Key} {duplicate.Count()} times");
        }
        foreach (var address in allocated.Distinct(StringComparer.Ordinal).Where(a => !explained.ContainsKey(a)))
        {
            problems.Add($"IPAM holds address {address}, which no network or endpoint explains (lost)");
        }
        foreach (var (address, holder) in explained.Where(e => !allocated.Contains(e.Key, StringComparer.Ordinal)))
        {
            problems.Add($"{holder} has address {address}, which IPAM does not hold (could be handed out again)");
        }
        var pools = store.Under("ipam/").Where(e => e.Key.EndsWith("/pools", StringComparison.Ordinal))
            .SelectMany(e => e.Value.Items("pools")).Select(p => p.Str("subnet") ?? "").ToList();
        foreach (var pool in pools.Where(p => !subnets.Contains(p)))
        {
            problems.Add($"IPAM holds pool {pool}, which no network has (lost)");
        }
        foreach (var subnet in subnets.Where(s => !pools.Contains(s, StringComparer.Ordinal)))
        {
            problems.Add($"a network has subnet {subnet}, which IPAM does not hold as a pool");
        }

        // ---- the host namespace: bridges, veths, firewall
        CheckHostLinks(daemon, networks, endpoints, problems);
        CheckFirewall(daemon, networks, endpoints, problems);

        // ---- sandboxes: namespace files, mounts, interfaces, resolvers
        CheckSandboxes(daemon, networks, sandboxes, endpoints, problems);

        // ---- containers: processes, runc state, root file systems
        await CheckContainersAsync(daemon, sandboxes, problems);
        return problems;
    }

    private static void CheckNames(StoreView store, string prefix, Dictionary<string, JsonElement> records, string kind, List<string> problems)
    {
        var names = store.Under(prefix).ToDictionary(e => e.Key[prefix.Length..], e => e.Value.GetString() ?? "", StringComparer.Ordinal);
        foreach (var (name, id) in names)
        {
            if (!records.TryGetValue(id, out var record) || record.Str("name") != name)
            {
                problems.Add($"name key {prefix}{name} points at {kind} {Short(id)}, which has no record of that name");
            }
        }
        foreach (var (id, record) in records)
        {
            if (!names.TryGetValue(record.Str("name") ?? "", out var named) || named != id)
            {
                problems.Add($"{kind} {record.Str("name")} ({Short(id)}) has no name key");
            }
        }
    }

    private static void Compare(string kind, IEnumerable<string> stored, IEnumerable<string> api, List<string> problems)
    {
        var a = stored.ToHashSet(StringComparer.Ordinal);
        var b = api.ToHashSet(StringComparer.Ordinal);
        foreach (var id in a.Except(b))
        {
            problems.Add($"{kind} {Short(id)} is in the store but not in the API's list");
        }
        foreach (var id in b.Except(a))
        {
            problems.Add($"{kind} {Short(id)} is in the API's list but not in the store");
        }
    }

    private static void CheckHostLinks(NetstackdProcess daemon, Dictionary<string, JsonElement> networks, Dictionary<string, JsonElement> endpoints, List<string> problems)
    {
        var bridges = networks.Values.Where(n => n.Str("driver") == "bridge")
            .ToDictionary(BridgeName, n => n, StringComparer.Ordinal);
        var links = daemon.Host.IpJson("link", "show").EnumerateArray().ToList();
        foreach (var link in links)
        {
            var name = link.GetProperty("ifname").GetString()!;
            var master = link.TryGetProperty("master", out var m) ? m.GetString() : null;
            var isBridge = daemon.Host.IpJson("-d", "link", "show", "dev", name).EnumerateArray().Any(l =>
                l.TryGetProperty("linkinfo", out var info) && info.TryGetProperty("info_kind", out var k) && k.GetString() == "bridge");
            if (name == "lo" || (isBridge && bridges.ContainsKey(name)))
            {
                continue;
            }
            if (!isBridge && master is not null && bridges.ContainsKey(master))
            {
                continue;
            }
            problems.Add($"link {name}{(master is null ? "" : " on " + master)} in the host namespace is not explained by the store");
        }
        foreach (var (bridge, network) in bridges)
        {
            if (!links.Any(l => l.GetProperty("ifname").GetString() == bridge))
            {
                problems.Add($"bridge {bridge} of network {network.Str("name")} is missing");
                continue;
            }
            var ports = links.Count(l => l.TryGetProperty("master", out var m) && m.GetString() == bridge);
            var expected = endpoints.Values.Count(e => e.Str("networkId") == network.Str("id"));
            if (ports != expected)
            {
                problems.Add($"bridge {bridge} of network {network.Str("name")} has {ports} ports, the store {expected} endpoints");
            }
        }
    }

    private static void CheckFirewall(NetstackdProcess daemon, Dictionary<string, JsonElement> networks, Dictionary<string, JsonElement> endpoints, List<string> problems)
    {
        var owners = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var tool in new[] { "iptables-save", "ip6tables-save" })
        {
            foreach (var line in daemon.Host.Exec(tool).Split('\n'))
            {
                var at = line.IndexOf("--comment \"netstack:", StringComparison.Ordinal);
                if (at < 0)
                {
                    at = line.IndexOf("--comment netstack:", StringComparison.Ordinal);
                }
                if (at < 0)
                {
                    continue;
                }
                var owner = line[(line.IndexOf("netstack:", at, StringComparison.Ordinal) + "netstack:".Length)..].Split('"', ' ')[0];
                owners[owner] = owners.GetValueOrDefault(owner) + 1;
            }
        }
        foreach (var owner in owners.Keys)
        {
            var explained = owner switch
            {
                _ when owner.StartsWith("bridge-net:", StringComparison.Ordinal) => networks.ContainsKey(owner["bridge-net:".Length..]),
                _ when owner.StartsWith("bridge-ep:", StringComparison.Ordinal) => endpoints.TryGetValue(owner["bridge-ep:".Length..], out var e) && e.Items("publishedPorts").Any(),
                _ => true, // owners of other kinds (isolation, gateway network) are checked by their own tests
            };
            if (!explained)
            {
                problems.Add($"{owners[owner]} firewall rules of owner {owner} are not explained by the store");
            }
        }
        foreach (var network in networks.Values.Where(n => n.Str("driver") == "bridge"))
        {
            if (!owners.ContainsKey("bridge-net:" + network.Str("id")))
            {
                problems.Add($"network {network.Str("name")} has no firewall rules");
            }
        }
        foreach (var endpoint in endpoints.Values.Where(e => e.Items("publishedPorts").Any()))
        {
            if (!owners.ContainsKey("bridge-ep:" + endpoint.Str("id")))
            {
                problems.Add($"endpoint {endpoint.Str("name")} publishes ports but has no firewall rules");
            }
        }
    }

    private static void CheckSandboxes(NetstackdProcess daemon, Dictionary<string, JsonElement> networks, Dictionary<string, JsonElement> sandboxes, Dictionary<string, JsonElement> endpoints, List<string> problems)
    {
        var netnsDirectory = Path.Combine(daemon.ExecRoot, "netns");
        var keys = sandboxes.Values.Where(s => !s.Bool("external")).Select(s => s.Str("key")!).ToHashSet(StringComparer.Ordinal);
        var files = Directory.Exists(netnsDirectory) ? Directory.GetFiles(netnsDirectory).ToHashSet(StringComparer.Ordinal) : [];
        var mounts = File.ReadAllLines("/proc/self/mounts").Select(l => l.Split(' ')[1])
            .Where(m => m.StartsWith(netnsDirectory + "/", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        foreach (var file in files.Union(mounts).Except(keys))
        {
            problems.Add($"namespace {file} is not explained by the store ({(mounts.Contains(file) ? "mounted" : "a file only")})");
        }
        foreach (var key in keys)
        {
            if (!mounts.Contains(key))
            {
                problems.Add($"namespace {key} of a sandbox is missing");
                continue;
            }
            var sandbox = sandboxes.Values.Single(s => s.Str("key") == key);
            var own = endpoints.Values.Where(e => e.Str("sandboxId") == sandbox.Str("id")).ToList();
            List<JsonElement> links;
            try
            {
                links = NetstackdProcess.IpJsonIn(key, "addr", "show").EnumerateArray().ToList();
            }
            catch (InvalidOperationException e)
            {
                // Gone while this check ran (a release in the background): the next check sees it settled.
                problems.Add($"sandbox {sandbox.Str("name")}'s namespace could not be read: {e.Message}");
                continue;
            }
            foreach (var link in links)
            {
                var name = link.GetProperty("ifname").GetString()!;
                if (name == "lo")
                {
                    continue;
                }
                var endpoint = own.FirstOrDefault(e => e.Str("interfaceName") == name);
                if (endpoint.ValueKind == JsonValueKind.Undefined)
                {
                    problems.Add($"interface {name} in sandbox {sandbox.Str("name")} is not explained by the store");
                    continue;
                }
                var addresses = link.GetProperty("addr_info").EnumerateArray()
                    .Select(a => $"{a.GetProperty("local").GetString()}/{a.GetProperty("prefixlen").GetInt32()}").ToList();
                if (endpoint.Str("ipv4Address") is { } v4 && !addresses.Contains(v4))
                {
                    problems.Add($"interface {name} in sandbox {sandbox.Str("name")} lacks its address {v4}");
                }
            }
            foreach (var endpoint in own.Where(e => !links.Any(l => l.GetProperty("ifname").GetString() == e.Str("interfaceName"))))
            {
                problems.Add($"interface {endpoint.Str("interfaceName")} of endpoint {endpoint.Str("name")} is missing in sandbox {sandbox.Str("name")}");
            }
            // The embedded resolver: in sandboxes on a user-defined network, and only there.
            var wantsResolver = own.Any(e => networks.TryGetValue(e.Str("networkId") ?? "", out var n) && n.Str("name") != "bridge" && !n.Bool("builtIn"));
            var listening = TestNamespace.TryRun("nsenter", "--net=" + key, "ss", "-Hlnu").Output
                .Split('\n').Any(l => l.Contains("127.0.0.11:", StringComparison.Ordinal));
            if (wantsResolver != listening)
            {
                problems.Add(wantsResolver
                    ? $"sandbox {sandbox.Str("name")} is on a user-defined network but no resolver listens on 127.0.0.11"
                    : $"a resolver listens on 127.0.0.11 in sandbox {sandbox.Str("name")}, which is on no user-defined network");
            }
        }
    }

    private static async Task CheckContainersAsync(NetstackdProcess daemon, Dictionary<string, JsonElement> sandboxes, List<string> problems)
    {
        List<Netstack.Api.Contracts.Containers.ContainerSummary> containers;
        using (var client = daemon.Client())
        {
            containers = await client.ListContainersAsync(all: true);
        }
        var running = containers.Where(c => c.State == "running").ToDictionary(c => c.Id, StringComparer.Ordinal);
        var byContainer = sandboxes.Values.Where(s => s.Str("containerId") is not null).ToLookup(s => s.Str("containerId")!, StringComparer.Ordinal);
        foreach (var container in containers)
        {
            var hasSandbox = byContainer.Contains(container.Id);
            var shouldHave = container.State == "running" && container.HostConfig.NetworkMode is not ("none" or "host") && !container.HostConfig.NetworkMode.Contains(':', StringComparison.Ordinal);
            if (hasSandbox != shouldHave)
            {
                problems.Add($"container {container.Names.FirstOrDefault()} is {container.State} and {(hasSandbox ? "has" : "has no")} sandbox");
            }
        }
        foreach (var group in byContainer.Where(g => !containers.Any(c => c.Id == g.Key)))
        {
            problems.Add($"sandbox {group.First().Str("name")} belongs to container {Short(group.Key)}, which does not exist");
        }

        // runc's state: exactly the running containers.
        var runcRoot = Path.Combine(daemon.ExecRoot, "runc");
        var runc = Directory.Exists(runcRoot) ? Directory.GetDirectories(runcRoot).Select(p => Path.GetFileName(p)).ToHashSet(StringComparer.Ordinal) : [];
        foreach (var id in runc.Except(running.Keys))
        {
            problems.Add($"runc has state of container {Short(id)}, which is not running");
        }
        foreach (var id in running.Keys.Except(runc))
        {
            problems.Add($"container {Short(id)} runs but runc has no state of it");
        }

        // Mounts under the daemon's directory: sandbox namespaces (checked above) and the root file
        // systems of running containers.
        // (The netns directory itself is bind-mounted on itself, shared, as `ip netns` does.)
        var netns = Path.Combine(daemon.ExecRoot, "netns");
        foreach (var mount in File.ReadAllLines("/proc/self/mounts").Select(l => l.Split(' ')[1])
            .Where(m => m.StartsWith(daemon.Directory + "/", StringComparison.Ordinal) && m != netns && !m.StartsWith(netns + "/", StringComparison.Ordinal)))
        {
            if (!running.Keys.Any(id => mount.Contains(id, StringComparison.Ordinal)))
            {
                problems.Add($"mount {mount} is not explained by a running container");
            }
        }

        // Processes: the daemon's directory in a command line means the daemon or a shim of a running container.
        foreach (var pid in Directory.GetDirectories("/proc").Select(Path.GetFileName).Where(p => p!.All(char.IsAsciiDigit)))
        {
            string cmdline;
            try
            {
                cmdline = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
            }
            catch (IOException)
            {
                continue;
            }
            if (!cmdline.Contains(daemon.Directory + "/", StringComparison.Ordinal) || int.Parse(pid!, CultureInfo.InvariantCulture) == daemon.Pid
                || cmdline.StartsWith("nsenter ", StringComparison.Ordinal) || cmdline.Contains(" ss -", StringComparison.Ordinal))
            {
                continue;
            }
            if (!running.Keys.Any(id => cmdline.Contains(id, StringComparison.Ordinal)))
            {
                problems.Add($"process {pid} ({cmdline.Trim()}) is not explained by a running container");
            }
        }
    }

    private static string BridgeName(JsonElement network) =>
        network.Pairs("options").FirstOrDefault(o => o.Name == "com.docker.network.bridge.name").Value is { Length: > 0 } name
            ? name
            : "br-" + network.Str("id")![..12];

    private static string Address(string cidr) => cidr.Split('/')[0];

    private static string Short(string id) => id.Length > 12 ? id[..12] : id;
}
