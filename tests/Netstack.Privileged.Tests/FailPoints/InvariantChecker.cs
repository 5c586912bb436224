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
/// With a global store (<see cref="GlobalStore"/>) its keys are read beside the local ones, and
/// the global networks are checked too: each of this node's attachment keys is a Ready endpoint's
/// and each such endpoint has one, each VXLAN id key is its network's, and an overlay network's
/// datapath (its namespace under <c>EXEC-ROOT/overlay</c> with br0, the VXLAN device, one veth per
/// local endpoint, and no neighbour or FDB entry no other host's endpoint explains) is there exactly
/// while a local endpoint is joined.
/// Returns every violation found, not just the first.
/// </summary>
internal static class InvariantChecker
{
    /// <param name="testLinks">Links of the host the test made before the daemon started (never the daemon's to explain).</param>
    public static async Task<IReadOnlyList<string>> CheckAsync(NetstackdProcess daemon, GlobalStore? global = null, IReadOnlySet<string>? testLinks = null)
    {
        var problems = new List<string>();
        var store = StoreView.Read(daemon.Root, global);

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
        CheckHostLinks(daemon, networks, endpoints, testLinks ?? new HashSet<string>(StringComparer.Ordinal) { "lo" }, problems);
        CheckFirewall(daemon, networks, endpoints, problems);

        // ---- sandboxes: namespace files, mounts, interfaces, resolvers
        CheckSandboxes(daemon, networks, sandboxes, endpoints, problems);

        // ---- global networks: attachments, VXLAN ids, overlay datapaths
        if (global is not null)
        {
            CheckAttachments(store, networks, endpoints, problems);
            CheckOverlay(daemon, networks, endpoints, problems);
        }

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

    private static void CheckHostLinks(NetstackdProcess daemon, Dictionary<string, JsonElement> networks, Dictionary<string, JsonElement> endpoints, IReadOnlySet<string> testLinks, List<string> problems)
    {
        var bridges = networks.Values.Where(n => n.Str("driver") == "bridge")
            .ToDictionary(BridgeName, n => n, StringComparer.Ordinal);
        // One listing with the details of every link: a link asked after one by one could be gone
        // by its turn (a teardown still settling), which is not a problem but made the query fail.
        var links = daemon.Host.IpJson("-d", "link", "show").EnumerateArray().ToList();
        foreach (var link in links)
        {
            var name = link.GetProperty("ifname").GetString()!;
            var master = link.TryGetProperty("master", out var m) ? m.GetString() : null;
            var isBridge = link.TryGetProperty("linkinfo", out var info) && info.TryGetProperty("info_kind", out var k) && k.GetString() == "bridge";
            if (testLinks.Contains(name) || (isBridge && bridges.ContainsKey(name)))
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
        // Each rule names its owner in its comment: "--comment netstack:OWNER" in iptables-save,
        // 'comment "netstack:OWNER"' in nft's listing of the nftables backend's tables.
        var listings = Firewall.TestFirewall.IsNftables
            ? new[] { Firewall.TestFirewall.NftListing(daemon.Host, "ip"), Firewall.TestFirewall.NftListing(daemon.Host, "ip6") }
            : new[] { daemon.Host.Exec("iptables-save"), daemon.Host.Exec("ip6tables-save") };
        foreach (var listing in listings)
        {
            foreach (var line in listing.Split('\n'))
            {
                var at = line.IndexOf("--comment \"netstack:", StringComparison.Ordinal);
                if (at < 0)
                {
                    at = line.IndexOf("--comment netstack:", StringComparison.Ordinal);
                }
                if (at < 0)
                {
                    at = line.IndexOf("comment \"netstack:", StringComparison.Ordinal);
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
        // So are the overlay driver's namespaces (checked by CheckOverlay).
        var netns = Path.Combine(daemon.ExecRoot, "netns");
        var overlay = Path.Combine(daemon.ExecRoot, "overlay");
        foreach (var mount in File.ReadAllLines("/proc/self/mounts").Select(l => l.Split(' ')[1])
            .Where(m => m.StartsWith(daemon.Directory + "/", StringComparison.Ordinal) && m != netns && !m.StartsWith(netns + "/", StringComparison.Ordinal)
                && m != overlay && !m.StartsWith(overlay + "/", StringComparison.Ordinal)))
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

    private static void CheckAttachments(StoreView store, Dictionary<string, JsonElement> networks, Dictionary<string, JsonElement> endpoints, List<string> problems)
    {
        // attachments/NETWORK/NODE/ENDPOINT: this node's must be exactly its Ready endpoints on global networks.
        var attached = store.Under("attachments/").Select(e => e.Key.Split('/')).Where(k => k.Length == 4 && k[2] == GlobalStore.Node)
            .Select(k => (Network: k[1], Endpoint: k[3])).ToList();
        foreach (var (network, endpoint) in attached)
        {
            if (!endpoints.TryGetValue(endpoint, out var record) || record.Str("networkId") != network)
            {
                problems.Add($"attachment of endpoint {Short(endpoint)} on network {Short(network)} in the global store is not explained by an endpoint (the network cannot be removed while it stays)");
            }
        }
        foreach (var (id, endpoint) in endpoints.Where(e => networks.TryGetValue(e.Value.Str("networkId") ?? "", out var n) && n.Str("scope") == "global"))
        {
            if (string.Equals(endpoint.Str("state"), "Ready", StringComparison.OrdinalIgnoreCase) && !attached.Contains((endpoint.Str("networkId")!, id)))
            {
                problems.Add($"endpoint {endpoint.Str("name")} ({Short(id)}) on a global network has no attachment in the global store (another host could remove the network)");
            }
        }

        // vni/N holds the id of the network whose VXLAN id list has N, and every such id has its key.
        var vnis = store.Under("vni/").ToDictionary(e => e.Key["vni/".Length..], e => e.Value.GetString() ?? "", StringComparer.Ordinal);
        foreach (var (vni, id) in vnis)
        {
            if (!networks.TryGetValue(id, out var network) || !VxlanIds(network).Contains(vni))
            {
                problems.Add($"VXLAN id key vni/{vni} holds network {Short(id)}, which has no record with that id (the id is lost)");
            }
        }
        foreach (var network in networks.Values.Where(n => n.Str("driver") == "overlay"))
        {
            foreach (var vni in VxlanIds(network).Where(v => !vnis.ContainsKey(v)))
            {
                problems.Add($"overlay network {network.Str("name")} has VXLAN id {vni}, which the global store does not hold (could be given twice)");
            }
        }
    }

    private static void CheckOverlay(NetstackdProcess daemon, Dictionary<string, JsonElement> networks, Dictionary<string, JsonElement> endpoints, List<string> problems)
    {
        // The overlay's namespace (ov-VNI-ID10), with br0 and the VXLAN device (vx-VNIHEX6-ID5), exists
        // while an endpoint of this host is joined to the network, and only then.
        var directory = Path.Combine(daemon.ExecRoot, "overlay");
        var files = Directory.Exists(directory) ? Directory.GetFiles(directory).ToHashSet(StringComparer.Ordinal) : [];
        var mounts = File.ReadAllLines("/proc/self/mounts").Select(l => l.Split(' ')[1])
            .Where(m => m.StartsWith(directory + "/", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        var expected = new Dictionary<string, (JsonElement Network, string Vni, List<JsonElement> Endpoints)>(StringComparer.Ordinal);
        foreach (var network in networks.Values.Where(n => n.Str("driver") == "overlay"))
        {
            var own = endpoints.Values.Where(e => e.Str("networkId") == network.Str("id")).ToList();
            if (own.Count > 0 && VxlanIds(network).FirstOrDefault() is { } vni)
            {
                expected[Path.Combine(directory, $"ov-{vni}-{Clip(network.Str("id")!, 10)}")] = (network, vni, own);
            }
        }
        foreach (var file in files.Union(mounts).Except(expected.Keys))
        {
            problems.Add($"overlay namespace {file} is not explained by the store ({(mounts.Contains(file) ? "mounted" : "a file only")})");
        }
        foreach (var (path, (network, vni, own)) in expected)
        {
            if (!mounts.Contains(path))
            {
                problems.Add($"overlay network {network.Str("name")} has {own.Count} endpoints here but its namespace {path} is missing");
                continue;
            }
            var vxlan = "vx-" + uint.Parse(vni, CultureInfo.InvariantCulture).ToString("x6", CultureInfo.InvariantCulture) + "-" + Clip(network.Str("id")!, 5);
            List<JsonElement> links;
            try
            {
                links = NetstackdProcess.IpJsonIn(path, "-d", "addr", "show").EnumerateArray().ToList();
            }
            catch (InvalidOperationException e)
            {
                problems.Add($"overlay namespace {path} could not be read: {e.Message}");
                continue;
            }
            static string? Kind(JsonElement l) => l.TryGetProperty("linkinfo", out var i) && i.TryGetProperty("info_kind", out var k) ? k.GetString() : null;
            static string? Master(JsonElement l) => l.TryGetProperty("master", out var m) ? m.GetString() : null;
            var bridge = links.FirstOrDefault(l => l.GetProperty("ifname").GetString() == "br0" && Kind(l) == "bridge");
            if (bridge.ValueKind == JsonValueKind.Undefined)
            {
                problems.Add($"overlay network {network.Str("name")}: br0 is missing in {path}");
            }
            else
            {
                var addresses = bridge.GetProperty("addr_info").EnumerateArray().Select(a => a.GetProperty("local").GetString()).ToHashSet(StringComparer.Ordinal);
                foreach (var gateway in network.Items("pools").Select(p => p.Str("gateway")).OfType<string>().Select(Address).Where(g => !addresses.Contains(g)))
                {
                    problems.Add($"overlay network {network.Str("name")}: br0 lacks the gateway {gateway}");
                }
            }
            if (!links.Any(l => l.GetProperty("ifname").GetString() == vxlan && Kind(l) == "vxlan" && Master(l) == "br0"))
            {
                problems.Add($"overlay network {network.Str("name")}: VXLAN device {vxlan} is missing or not a port of br0 in {path}");
            }
            var veths = links.Where(l => Kind(l) == "veth" && Master(l) == "br0").ToList();
            if (veths.Count != own.Count)
            {
                problems.Add($"overlay network {network.Str("name")}: br0 has {veths.Count} veths, the store {own.Count} endpoints on this host");
            }
            foreach (var link in links.Where(l => l.GetProperty("ifname").GetString() is not ("lo" or "br0") && l.GetProperty("ifname").GetString() != vxlan && !(Kind(l) == "veth" && Master(l) == "br0")))
            {
                problems.Add($"link {link.GetProperty("ifname").GetString()} in overlay namespace {path} is not explained by the store");
            }
            // Permanent neighbour and FDB entries are other hosts' endpoints; this daemon is the only
            // host of its store prefix, so none may be there.
            var neighbours = NetstackdProcess.IpJsonIn(path, "neigh", "show", "dev", vxlan).EnumerateArray()
                .Where(n => n.TryGetProperty("state", out var st) && st.EnumerateArray().Any(x => x.GetString() == "PERMANENT")).ToList();
            foreach (var n in neighbours)
            {
                problems.Add($"neighbour entry {n.GetProperty("dst").GetString()} on {vxlan} is not explained by any other host's endpoint");
            }
            var fdb = TestNamespace.TryRun("nsenter", "--net=" + path, "bridge", "fdb", "show", "dev", vxlan).Output
                .Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Contains(" dst ", StringComparison.Ordinal)).ToList();
            foreach (var line in fdb)
            {
                problems.Add($"FDB entry \"{line.Trim()}\" on {vxlan} is not explained by any other host's endpoint");
            }
        }
    }

    private static IEnumerable<string> VxlanIds(JsonElement network) =>
        network.Pairs("options").FirstOrDefault(o => o.Name == "com.docker.network.driver.overlay.vxlanid_list").Value is { Length: > 0 } list
            ? list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            : [];

    /// <summary>The id in the overlay's device and namespace names: letters and digits, lower case, the first <paramref name="length"/>.</summary>
    private static string Clip(string id, int length)
    {
        var clean = new string(id.Where(char.IsAsciiLetterOrDigit).ToArray()).ToLowerInvariant();
        return clean.Length > length ? clean[..length] : clean;
    }

    private static string BridgeName(JsonElement network) =>
        network.Pairs("options").FirstOrDefault(o => o.Name == "com.docker.network.bridge.name").Value is { Length: > 0 } name
            ? name
            : "br-" + network.Str("id")![..12];

    private static string Address(string cidr) => cidr.Split('/')[0];

    private static string Short(string id) => id.Length > 12 ? id[..12] : id;
}
