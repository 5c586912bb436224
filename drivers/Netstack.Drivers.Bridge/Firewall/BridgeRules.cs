using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Netstack.Core;
using Netstack.Firewall;

namespace Netstack.Drivers.Bridge;

/// <summary>
/// The iptables and ip6tables rules of a bridge network and of an endpoint's published ports, as
/// data. The rules follow Docker's bridge driver with its userland proxy disabled (pure iptables:
/// DNAT with hairpin and localhost), with netstack's chain names (see <see cref="BridgeChains"/>).
/// A network with IPv6 gets the same rules in ip6tables for its IPv6 subnet, as Docker 27+ does
/// with ip6tables on.
/// </summary>
internal static class BridgeRules
{
    /// <summary>fe80::/10 (RFC 4291 2.5.6): link-local sources are never forwarded to another link.</summary>
    public const string LinkLocalV6 = "fe80::/10";

    public static string NetworkOwner(string networkId) => "bridge-net:" + networkId;

    public static string EndpointOwner(string endpointId) => "bridge-ep:" + endpointId;

    /// <summary>True for owner names this driver gives (other drivers' rules are never touched).</summary>
    public static bool IsDriverOwner(string owner) =>
        owner.StartsWith("bridge-net:", StringComparison.Ordinal) || owner.StartsWith("bridge-ep:", StringComparison.Ordinal);

    /// <summary>Rules for one network: isolation, forwarding, ICC, masquerade; in ip6tables too when IPv6 is on.</summary>
    public static IReadOnlyList<BridgeRule> ForNetwork(BridgeNetworkConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var rules = new List<BridgeRule>();
        rules.AddRange(ForNetwork(config, IpFamily.IPv4, config.SubnetV4));
        if (config.EnableIPv6 && config.SubnetV6 is { } v6)
        {
            rules.AddRange(ForNetwork(config, IpFamily.IPv6, v6));
        }
        return rules;
    }

    private static List<BridgeRule> ForNetwork(BridgeNetworkConfig config, IpFamily family, IPNetwork subnetNetwork)
    {
        var br = config.BridgeName;
        var subnet = subnetNetwork.ToString();
        var rules = new List<BridgeRule>();
        void Filter(string chain, string spec) => rules.Add(new BridgeRule(FirewallTables.Filter, chain, spec) { Family = family });
        void Nat(string chain, string spec) => rules.Add(new BridgeRule(FirewallTables.Nat, chain, spec) { Family = family });

        // Isolation between netstack bridges (Docker's two stages): whatever leaves this bridge for
        // another interface goes to stage 2, which drops it if that interface is another bridge.
        // Both directions are covered because every bridge has both rules.
        Filter(BridgeChains.Isolation1, $"-i {br} ! -o {br} -j {BridgeChains.Isolation2}");
        Filter(BridgeChains.Isolation2, $"-o {br} -j DROP");

        if (config.Internal)
        {
            // No route out: drop anything crossing between the bridge and another interface
            // (Docker's internal-network rules in DOCKER-ISOLATION-STAGE-1).
            Filter(BridgeChains.Isolation1, $"-i {br} ! -o {br} -j DROP");
            Filter(BridgeChains.Isolation1, $"! -i {br} -o {br} -j DROP");
        }
        else
        {
            Filter(BridgeChains.Forward, $"-o {br} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
            Filter(BridgeChains.Forward, $"-i {br} ! -o {br} -j ACCEPT");
        }

        // Container to container on the same bridge. These frames reach iptables through
        // br_netfilter (bridge-nf-call-iptables / bridge-nf-call-ip6tables = 1, per namespace
        // since Linux 5.3).
        Filter(BridgeChains.Forward, $"-i {br} -o {br} -j {(config.EnableIcc ? "ACCEPT" : "DROP")}");

        if (!config.Internal)
        {
            // From outside into the bridge only what NETSTACK-PORTS accepted (published ports) or
            // replies (above) get through, as in Docker 28.
            Filter(BridgeChains.Forward, $"! -i {br} -o {br} -j DROP");

            // Host-originated traffic into the bridge (127.0.0.1 after DNAT, the host's own
            // addresses) leaves with the gateway address, so containers can answer it.
            Nat(BridgeChains.Postrouting, $"-o {br} -m addrtype --src-type LOCAL -j MASQUERADE");
            if (config.EnableIPMasquerade)
            {
                Nat(BridgeChains.Postrouting, $"-s {subnet} ! -o {br} -j MASQUERADE");
            }
        }
        return rules;
    }

    /// <summary>
    /// Rules publishing an endpoint's ports: DNAT, hairpin MASQUERADE, FORWARD accept. A binding
    /// whose host IP is IPv6 goes to ip6tables and to <paramref name="containerAddressV6"/>; any
    /// other to iptables and <paramref name="containerAddress"/>.
    /// </summary>
    public static IReadOnlyList<BridgeRule> ForPorts(BridgeNetworkConfig config, IPAddress? containerAddress, IReadOnlyList<PortBinding> bindings, IPAddress? containerAddressV6 = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(bindings);
        var br = config.BridgeName;
        var rules = new List<BridgeRule>();
        foreach (var binding in bindings)
        {
            var family = FamilyOf(binding);
            var container = family == IpFamily.IPv6 ? containerAddressV6 : containerAddress;
            if (container is null)
            {
                throw new InvalidParameterException("host IP", binding.HostIp?.ToString(),
                    $"the endpoint has no {family} address to publish {binding} to");
            }
            var proto = ProtocolName(binding.Protocol);
            var hostPort = binding.HostPort.ToString(CultureInfo.InvariantCulture);
            var containerPort = binding.ContainerPort.ToString(CultureInfo.InvariantCulture);
            var host = family == IpFamily.IPv6 ? 128 : 32;
            var ip = $"{container}/{host}";
            var hostIp = binding.HostIp is { } h && !IsAny(h) ? $"-d {h}/{host} " : string.Empty;
            if (family == IpFamily.IPv4)
            {
                // No "! -i br": a container reaching the host address must be DNATed too (hairpin).
                rules.Add(new BridgeRule(FirewallTables.Nat, BridgeChains.Dnat,
                    $"{hostIp}-p {proto} -m {proto} --dport {hostPort} -j DNAT --to-destination {container}:{containerPort}"));
            }
            else
            {
                // A link-local client could not be answered from the container's link (the kernel
                // does not forward link-local sources), so its packets are left to the host, as Docker does.
                rules.Add(new BridgeRule(FirewallTables.Nat, BridgeChains.Dnat,
                    $"{hostIp}! -s {LinkLocalV6} -p {proto} -m {proto} --dport {hostPort} -j DNAT --to-destination [{container}]:{containerPort}") { Family = family });
            }
            // Hairpin to itself: the container would see its own address as the source and answer
            // itself; masquerading makes the reply go back through the bridge.
            rules.Add(new BridgeRule(FirewallTables.Nat, BridgeChains.Postrouting,
                $"-s {ip} -d {ip} -p {proto} -m {proto} --dport {containerPort} -j MASQUERADE") { Family = family });
            rules.Add(new BridgeRule(FirewallTables.Filter, BridgeChains.Ports,
                $"-d {ip} ! -i {br} -o {br} -p {proto} -m {proto} --dport {containerPort} -j ACCEPT") { Family = family });
        }
        return rules;
    }

    /// <summary>IPv6 for a binding whose host IP is IPv6; IPv4 otherwise (none means the IPv4 default).</summary>
    public static IpFamily FamilyOf(PortBinding binding) =>
        binding.HostIp?.AddressFamily == AddressFamily.InterNetworkV6 ? IpFamily.IPv6 : IpFamily.IPv4;

    /// <summary>0.0.0.0 or ::, "every address of the family".</summary>
    public static bool IsAny(IPAddress address) => address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);

    public static string ProtocolName(PortProtocol protocol) => protocol switch
    {
        PortProtocol.Tcp => "tcp",
        PortProtocol.Udp => "udp",
        PortProtocol.Sctp => "sctp",
        _ => throw new InvalidParameterException("protocol", protocol.ToString(), "must be tcp, udp or sctp"),
    };
}
