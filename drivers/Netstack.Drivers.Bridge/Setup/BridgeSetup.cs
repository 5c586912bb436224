using System.Net.Sockets;
using Netstack.Core;
using Netstack.Linux;
using Netstack.Core.FailPoints;

namespace Netstack.Drivers.Bridge;

/// <summary>
/// The steps that make a bridge network exist, in order. Every step checks the kernel first, so the
/// same list creates a network and repairs one at reconcile (a deleted bridge, lost rules).
/// </summary>
internal static class BridgeSetup
{
    public static IReadOnlyList<BridgeSetupStep> Steps { get; } =
    [
        new("check bridge name", _ => true, CheckBridgeName),
        new("create bridge", c => c.Host.Netlink.LinkFind(c.Config.BridgeName) is null, CreateBridge,
            c => c.Host.Netlink.LinkDelete(c.Config.BridgeName)),
        new("set bridge MTU", c => c.Config.MtuSet && c.Host.Netlink.LinkGet(c.Config.BridgeName).Mtu != c.Config.Mtu,
            c => c.Host.Netlink.LinkSetMtu(c.Config.BridgeName, c.Config.Mtu)),
        new("add IPv4 gateway", c => !HasAddress(c, c.Config.GatewayV4), c => AddAddress(c, c.Config.GatewayV4),
            c => c.Host.Netlink.AddrDelete(c.Config.BridgeName, ToInterfaceAddress(c.Config.GatewayV4))),
        // Without DAD: the gateway is the only router of a bridge the driver just made, and a
        // tentative address would leave containers without an IPv6 gateway for a second or more.
        new("add IPv6 gateway", c => c.Config.GatewayV6 is { } g && !HasAddress(c, g), c => AddAddress(c, c.Config.GatewayV6!.Value, noDad: true),
            c => c.Host.Netlink.AddrDelete(c.Config.BridgeName, ToInterfaceAddress(c.Config.GatewayV6!.Value))),
        new("bring bridge up", c => !c.Host.Netlink.LinkGet(c.Config.BridgeName).IsUp, c => c.Host.Netlink.LinkSetUp(c.Config.BridgeName)),
        // Docker turns forwarding on and never back off: other networks may rely on it.
        new("enable IPv4 forwarding", c => c.Host.ReadSysctl("net.ipv4.ip_forward") != "1", c => c.Host.WriteSysctl("net.ipv4.ip_forward", "1")),
        new("enable IPv6 forwarding", c => c.Config.EnableIPv6 && c.Host.ReadSysctl("net.ipv6.conf.all.forwarding") != "1",
            c => c.Host.WriteSysctl("net.ipv6.conf.all.forwarding", "1")),
        // 127.0.0.1:PORT from the host is DNATed to a container and routed out of the bridge with a
        // loopback source; the kernel drops such martians unless route_localnet is set on the
        // outgoing interface (Docker sets it on the bridge when its userland proxy is off).
        new("enable route_localnet on bridge", c => !c.Config.Internal && c.Host.ReadSysctl(RouteLocalnetKey(c)) != "1",
            c => c.Host.WriteSysctl(RouteLocalnetKey(c), "1")),
        // Frames between ports of one bridge pass iptables only through br_netfilter; ICC=false
        // and hairpin between two containers depend on it (Docker turns it on the same way).
        new("enable bridge netfilter", c => NeedsBridgeNetfilter(c, BridgeNetfilterKey), c => EnableBridgeNetfilter(c, BridgeNetfilterKey)),
        // The same for IPv6 frames between ports (ip6tables' FORWARD sees them only with this on).
        new("enable bridge netfilter for IPv6", c => c.Config.Families.Count > 1 && NeedsBridgeNetfilter(c, BridgeNetfilterKeyV6),
            c => EnableBridgeNetfilter(c, BridgeNetfilterKeyV6)),
        new BridgeSetupStep("program firewall", _ => true,
            c => c.Firewall.ApplyAsync(BridgeRules.NetworkOwner(c.Config.NetworkId), BridgeRules.ForNetwork(c.Config), c.Config.Families, c.CancellationToken),
            c => c.Firewall.RemoveAsync([BridgeRules.NetworkOwner(c.Config.NetworkId)], c.Config.Families, CancellationToken.None)),
    ];

    /// <summary>
    /// Runs the steps. With <paramref name="rollback"/> a failure undoes the steps that ran, in
    /// reverse, and rethrows; without it (reconcile) the failure is rethrown and what exists stays.
    /// </summary>
    public static async Task RunAsync(BridgeSetupContext context, bool rollback)
    {
        await using var undo = new UndoStack();
        foreach (var step in Steps)
        {
            if (!step.Condition(context))
            {
                continue;
            }
            try
            {
                await step.Run(context).ConfigureAwait(false);
            }
            catch (NetstackException)
            {
                throw;
            }
            catch (Exception e) when (e is NetlinkException or ArgumentException or IOException or InvalidOperationException)
            {
                throw new InternalException($"bridge {context.Config.BridgeName}: {step.Name}: {e.Message}", e);
            }
            context.Ran.Add(step.Name);
            if (rollback && step.Undo is { } u)
            {
                undo.Push(step.Name, _ => u(context));
            }
            if (rollback && step.Name == "bring bridge up")
            {
                FailPoint.Hit(FailPointNames.NetworkCreateAfterBridge);
            }
        }
        undo.Commit();
    }

    /// <summary>Sysctl key in path form: a bridge name may contain '.', which the dotted form would split.</summary>
    private static string RouteLocalnetKey(BridgeSetupContext c) => $"net/ipv4/conf/{c.Config.BridgeName}/route_localnet";

    private static void CheckBridgeName(BridgeSetupContext c)
    {
        var existing = c.Host.Netlink.LinkFind(c.Config.BridgeName);
        if (existing is not null && (existing.Kind != "bridge" || existing.Group != c.Config.Group))
        {
            throw new ConflictException(
                $"bridge name \"{c.Config.BridgeName}\" is taken by an interface netstack does not own for this network ({existing.Kind ?? "device"}, ifindex {existing.Index}); choose another {DockerOptions.BridgeName}");
        }
        if (existing is null)
        {
            // The group must hold no other bridge, or bulk deletion would take another network's
            // links with it. Veths left in it are this network's own ports whose bridge was deleted
            // (reconcile reattaches them).
            var stranger = c.Host.Netlink.LinkList().FirstOrDefault(l => l.Group == c.Config.Group && l.Kind != "veth");
            if (stranger is not null)
            {
                throw new ConflictException(
                    $"interface group 0x{c.Config.Group:x8} derived from network id {c.Config.NetworkId} already holds {stranger.Name}; create the network again (a new id)");
            }
        }
    }

    private const string BridgeNetfilterKey = "net.bridge.bridge-nf-call-iptables";

    private const string BridgeNetfilterKeyV6 = "net.bridge.bridge-nf-call-ip6tables";

    private static bool NeedsBridgeNetfilter(BridgeSetupContext c, string key)
    {
        try
        {
            return c.Host.ReadSysctl(key) != "1";
        }
        catch (ArgumentException)
        {
            return true; // br_netfilter is not loaded: the key does not exist
        }
    }

    private static void EnableBridgeNetfilter(BridgeSetupContext c, string key)
    {
        try
        {
            c.Host.WriteSysctl(key, "1");
        }
        catch (ArgumentException) when (c.Config.EnableIcc)
        {
            // Without br_netfilter everything works except hairpin between two containers of one
            // bridge; ICC=false cannot be enforced at all, hence the error below for that case only.
        }
        catch (ArgumentException e)
        {
            throw new InvalidParameterException(DockerOptions.BridgeEnableIcc, "false",
                $"needs the kernel's br_netfilter (load it: modprobe br_netfilter): {e.Message}");
        }
    }

    private static void CreateBridge(BridgeSetupContext c)
    {
        c.Host.Netlink.LinkAdd(new BridgeSpec(c.Config.BridgeName)
        {
            Group = c.Config.Group,
            Mtu = c.Config.MtuSet ? c.Config.Mtu : null,
            MacAddress = BridgeMacAddress.For(c.Config.NetworkId),
        });
        c.BridgeCreated = true;
    }

    private static bool HasAddress(BridgeSetupContext c, CidrAddress address)
    {
        var family = address.IsIPv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        return c.Host.Netlink.AddrList(c.Config.BridgeName, family)
            .Any(a => a.Address.Address.Equals(address.Address) && a.Address.PrefixLength == address.PrefixLength);
    }

    private static void AddAddress(BridgeSetupContext c, CidrAddress address, bool noDad = false) =>
        c.Host.Netlink.AddrAdd(c.Config.BridgeName, ToInterfaceAddress(address), noDad);

    private static InterfaceAddress ToInterfaceAddress(CidrAddress address) => new(address.Address, address.PrefixLength);
}
