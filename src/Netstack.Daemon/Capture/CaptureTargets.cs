using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;
using Netstack.Capture.Decoding;
using Netstack.Controller;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Daemon.Gossip;
using Netstack.Daemon.Overlay;
using Netstack.Dns.Names;
using Netstack.Linux;

namespace Netstack.Daemon.Capture;

/// <summary>Where a capture listens and the BPF filter it must add (the underlay's VXLAN port).</summary>
internal sealed record CapturePlan(string Target, IReadOnlyList<CapturePoint> Points, string? BaseFilter);

/// <summary>
/// Turns a capture target into interfaces in namespaces, and collects what the decoder calls
/// things. Targets: a container or sandbox (its interfaces inside its sandbox), <c>network:NAME</c>
/// (what the network's driver says: the bridge, or an overlay's br0 and VXLAN device),
/// <c>endpoint:ID</c> (one interface), <c>underlay</c> (the interface holding the advertise
/// address, VXLAN port only).
/// </summary>
internal sealed class CaptureTargets(
    INetworkController controller,
    IEnumerable<INetworkDriver> drivers,
    NetlinkHandle netlink,
    DnsNameTable dnsNames,
    IOptions<GossipDaemonOptions> gossipOptions,
    IOptions<OverlayDaemonOptions> overlayOptions,
    IServiceProvider services)
{
    public const string NetworkPrefix = "network:";
    public const string EndpointPrefix = "endpoint:";
    public const string Underlay = "underlay";

    private const string Field = "target";

    private ushort VxlanPort => (ushort)overlayOptions.Value.VxlanPort;

    /// <summary>The UDP port of VXLAN on the underlay.</summary>
    internal ushort VxlanPortNumber => VxlanPort;

    public async Task<CapturePlan> ResolveAsync(string? target, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(target))
        {
            throw new InvalidParameterException(Field, target ?? "", "name a container or sandbox, network:NAME, endpoint:ID or underlay");
        }
        if (target == Underlay)
        {
            return UnderlayPlan();
        }
        if (target.StartsWith(NetworkPrefix, StringComparison.Ordinal))
        {
            return await NetworkPlanAsync(target, target[NetworkPrefix.Length..], ct).ConfigureAwait(false);
        }
        if (target.StartsWith(EndpointPrefix, StringComparison.Ordinal))
        {
            return await EndpointPlanAsync(target, target[EndpointPrefix.Length..], ct).ConfigureAwait(false);
        }
        SandboxInfo sandbox;
        try
        {
            sandbox = await controller.GetSandboxAsync(target, ct).ConfigureAwait(false);
        }
        catch (NotFoundException)
        {
            throw new NotFoundException("container or sandbox", target, "give a container's name or id, a sandbox, network:NAME, endpoint:ID or underlay");
        }
        var points = sandbox.Endpoints.Where(e => e.InterfaceName.Length > 0).Select(e => new CapturePoint
        {
            NamespacePath = sandbox.Key,
            InterfaceName = e.InterfaceName,
            Role = $"{e.InterfaceName} of {sandbox.Name} on {e.NetworkName}",
        }).ToList();
        if (points.Count == 0)
        {
            throw new ConflictException($"{sandbox.Name} has no network interfaces to capture: connect it to a network first");
        }
        return new CapturePlan(target, points, null);
    }

    /// <summary>The underlay's capture (interface and VXLAN-port filter), or null when this daemon has none.</summary>
    internal CapturePlan? UnderlayPlanOrNull()
    {
        if (!gossipOptions.Value.Enabled)
        {
            return null;
        }
        try
        {
            return UnderlayPlan();
        }
        catch (NetstackException)
        {
            return null;
        }
    }

    /// <summary>The devices of <paramref name="network"/> on this host its driver names (bridge; br0 and VXLAN device), or none.</summary>
    internal IReadOnlyList<CapturePoint> NetworkPoints(NetworkInfo network) =>
        drivers.FirstOrDefault(d => d.Type == network.Driver) is ICaptureSource source ? source.CapturePoints(network.Id) : [];

    private CapturePlan UnderlayPlan()
    {
        var gossip = gossipOptions.Value;
        var settings = gossip.Enabled ? GossipSettings.Resolve(gossip, []) : null;
        if (settings is null)
        {
            throw new InvalidParameterException(Field, Underlay, "this daemon has no underlay: start netstackd with --advertise-addr IP");
        }
        var address = netlink.AddrList().FirstOrDefault(a => a.Address.Address.Equals(settings.Advertise))
            ?? throw new ConflictException($"no interface of this host holds the advertise address {settings.Advertise}");
        var link = netlink.LinkGet(address.LinkIndex);
        return new CapturePlan(Underlay,
            [new CapturePoint { InterfaceName = link.Name, Role = $"underlay ({settings.Advertise})" }],
            string.Create(CultureInfo.InvariantCulture, $"udp port {VxlanPort}"));
    }

    private async Task<CapturePlan> NetworkPlanAsync(string target, string name, CancellationToken ct)
    {
        if (name.Length == 0)
        {
            throw new InvalidParameterException(Field, target, "name the network after network:");
        }
        var network = await controller.GetNetworkAsync(name, ct).ConfigureAwait(false);
        var source = drivers.FirstOrDefault(d => d.Type == network.Driver) as ICaptureSource
            ?? throw new InvalidParameterException(Field, target,
                $"networks of the {network.Driver} driver have no devices netstack can capture by network; capture a container on it");
        var points = source.CapturePoints(network.Id);
        if (points.Count == 0)
        {
            throw new ConflictException($"network {network.Name} has no devices on this host yet: no endpoint of this host has joined it");
        }
        return new CapturePlan(target, points, null);
    }

    private async Task<CapturePlan> EndpointPlanAsync(string target, string id, CancellationToken ct)
    {
        if (id.Length == 0)
        {
            throw new InvalidParameterException(Field, target, "give the endpoint's id after endpoint:");
        }
        var endpoints = (await controller.ListEndpointsAsync(null, ct).ConfigureAwait(false))
            .Where(e => e.Id == id || e.Id.StartsWith(id, StringComparison.Ordinal)).ToList();
        var endpoint = endpoints.Count switch
        {
            0 => throw new NotFoundException("endpoint", id),
            1 => endpoints[0],
            _ => endpoints.FirstOrDefault(e => e.Id == id)
                ?? throw new InvalidParameterException(Field, target, $"{endpoints.Count} endpoints have ids starting with {id}; give more of it"),
        };
        if (endpoint.SandboxKey.Length == 0 || endpoint.InterfaceName.Length == 0)
        {
            throw new ConflictException($"endpoint {endpoint.Id[..Math.Min(12, endpoint.Id.Length)]} has joined no sandbox: it has no interface to capture");
        }
        return new CapturePlan(target,
            [new CapturePoint { NamespacePath = endpoint.SandboxKey, InterfaceName = endpoint.InterfaceName, Role = $"{endpoint.InterfaceName} of {endpoint.SandboxName} on {endpoint.NetworkName}" }],
            null);
    }

    /// <summary>
    /// Names as this daemon knows them now: its endpoints and the gossiped endpoints of other hosts
    /// (container names), the networks' gateways, the overlay networks' VNIs, and the cluster's nodes
    /// by their VTEP (advertise) addresses.
    /// </summary>
    public async Task<CaptureNames> NamesAsync(CancellationToken ct)
    {
        var names = new CaptureNames { VxlanPort = VxlanPort };
        foreach (var endpoint in await controller.ListEndpointsAsync(null, ct).ConfigureAwait(false))
        {
            var name = endpoint.SandboxName.Length > 0 ? endpoint.SandboxName : endpoint.Name;
            if (endpoint.IPv4Address is { } v4)
            {
                names.Address(v4.Address, name);
            }
            if (endpoint.IPv6Address is { } v6)
            {
                names.Address(v6.Address, name);
            }
            if (endpoint.MacAddress.Length > 0)
            {
                names.Mac(endpoint.MacAddress, name);
            }
        }
        foreach (var entry in dnsNames.Entries)
        {
            if (entry.Names.Count > 0)
            {
                foreach (var address in entry.Addresses)
                {
                    names.Address(address, entry.Names[0]);
                }
            }
        }
        foreach (var network in await controller.ListNetworksAsync(null, ct).ConfigureAwait(false))
        {
            foreach (var pool in network.Ipam.Pools)
            {
                if (pool.Gateway is { } gateway)
                {
                    names.Address(gateway.Address, "gateway of " + network.Name);
                }
            }
            if (network.Options.TryGetValue(DockerOptions.OverlayVxlanIdList, out var list))
            {
                foreach (var item in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    if (uint.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var vni))
                    {
                        names.Vni(vni, network.Name);
                    }
                }
            }
            foreach (var peers in drivers.OfType<INetworkPeers>())
            {
                foreach (var (node, address) in peers.GetPeers(network.Id))
                {
                    if (IPAddress.TryParse(address, out var vtep))
                    {
                        names.Node(vtep, node);
                    }
                }
            }
        }
        if (services.GetService<GossipService>()?.Node is { } gossip)
        {
            foreach (var member in gossip.Members)
            {
                names.Node(member.Address.Address, member.Name);
            }
        }
        return names;
    }
}
