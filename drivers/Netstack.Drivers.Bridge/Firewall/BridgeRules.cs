using System.Globalization;
using System.Net;
using Netstack.Core;

namespace Netstack.Drivers.Bridge;

/// <summary>
/// The iptables rules of a bridge network and of an endpoint's published ports, as data. The rules
/// follow Docker's bridge driver with its userland proxy disabled (pure iptables: DNAT with hairpin
/// and localhost), with netstack's chain names (see <see cref="BridgeChains"/>).
/// </summary>
internal static class BridgeRules
{
    public static string NetworkOwner(string networkId) => "bridge-net:" + networkId;

    public static string EndpointOwner(string endpointId) => "bridge-ep:" + endpointId;

    /// <summary>True for owner names this driver gives (other drivers' rules are never touched).</summary>
    public static bool IsDriverOwner(string owner) =>
        owner.StartsWith("bridge-net:", StringComparison.Ordinal) || owner.StartsWith("bridge-ep:", StringComparison.Ordinal);

    /// <summary>Rules for one network: isolation, forwarding, ICC, masquerade.</summary>
    public static IReadOnlyList<BridgeRule> ForNetwork(BridgeNetworkConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var br = config.BridgeName;
        var subnet = config.SubnetV4.ToString();
        var rules = new List<BridgeRule>();
        void Filter(string chain, string spec) => rules.Add(new BridgeRule(FirewallTables.Filter, chain, spec));
        void Nat(string chain, string spec) => rules.Add(new BridgeRule(FirewallTables.Nat, chain, spec));

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
        // br_netfilter (bridge-nf-call-iptables=1, per namespace since Linux 5.3).
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

    /// <summary>Rules publishing an endpoint's ports: DNAT, hairpin MASQUERADE, FORWARD accept.</summary>
    public static IReadOnlyList<BridgeRule> ForPorts(BridgeNetworkConfig config, IPAddress containerAddress, IReadOnlyList<PortBinding> bindings)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(containerAddress);
        ArgumentNullException.ThrowIfNull(bindings);
        var br = config.BridgeName;
        var ip = containerAddress.ToString();
        var rules = new List<BridgeRule>();
        foreach (var binding in bindings)
        {
            var proto = ProtocolName(binding.Protocol);
            var hostPort = binding.HostPort.ToString(CultureInfo.InvariantCulture);
            var containerPort = binding.ContainerPort.ToString(CultureInfo.InvariantCulture);
            var hostIp = binding.HostIp is { } h && !h.Equals(IPAddress.Any) ? $"-d {h}/32 " : string.Empty;
            // No "! -i br": a container reaching the host address must be DNATed too (hairpin).
            rules.Add(new BridgeRule(FirewallTables.Nat, BridgeChains.Dnat,
                $"{hostIp}-p {proto} -m {proto} --dport {hostPort} -j DNAT --to-destination {ip}:{containerPort}"));
            // Hairpin to itself: the container would see its own address as the source and answer
            // itself; masquerading makes the reply go back through the bridge.
            rules.Add(new BridgeRule(FirewallTables.Nat, BridgeChains.Postrouting,
                $"-s {ip}/32 -d {ip}/32 -p {proto} -m {proto} --dport {containerPort} -j MASQUERADE"));
            rules.Add(new BridgeRule(FirewallTables.Filter, BridgeChains.Ports,
                $"-d {ip}/32 ! -i {br} -o {br} -p {proto} -m {proto} --dport {containerPort} -j ACCEPT"));
        }
        return rules;
    }

    public static string ProtocolName(PortProtocol protocol) => protocol switch
    {
        PortProtocol.Tcp => "tcp",
        PortProtocol.Udp => "udp",
        PortProtocol.Sctp => "sctp",
        _ => throw new InvalidParameterException("protocol", protocol.ToString(), "must be tcp, udp or sctp"),
    };
}
