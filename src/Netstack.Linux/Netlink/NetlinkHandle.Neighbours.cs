using System.Net;
using System.Net.Sockets;
using Netstack.Linux.Netlink.Wire;

namespace Netstack.Linux;

public sealed partial class NetlinkHandle
{
    /// <summary>Equivalent to <c>ip neigh add IP lladdr MAC dev DEV nud permanent</c>; fails if it exists.</summary>
    public void NeighAdd(NeighbourSpec neighbour) => NeighChange("add", Nl.RTM_NEWNEIGH, Nl.NLM_F_CREATE | Nl.NLM_F_EXCL, neighbour);

    /// <summary>Equivalent to <c>ip neigh replace IP lladdr MAC dev DEV nud permanent</c>.</summary>
    public void NeighReplace(NeighbourSpec neighbour) => NeighChange("replace", Nl.RTM_NEWNEIGH, Nl.NLM_F_CREATE | Nl.NLM_F_REPLACE, neighbour);

    /// <summary>Equivalent to <c>ip neigh del IP dev DEV</c> (or <c>ip neigh del proxy IP dev DEV</c>).</summary>
    public void NeighDelete(LinkRef device, IPAddress address, bool proxy = false) =>
        NeighChange("del", Nl.RTM_DELNEIGH, 0, new NeighbourSpec(device, address, null) { Proxy = proxy });

    /// <summary>Lists neighbour entries (proxy entries included), optionally of one device. Equivalent to <c>ip neigh show [dev DEV]</c>.</summary>
    public IReadOnlyList<Neighbour> NeighList(LinkRef? device = null, AddressFamily family = AddressFamily.Unspecified)
    {
        var index = device is { } d ? ResolveIndex(d, $"neigh show dev {d}", "dev") : 0;
        var nlFamily = family switch
        {
            AddressFamily.InterNetwork => (byte)Interop.AF_INET,
            AddressFamily.InterNetworkV6 => (byte)Interop.AF_INET6,
            _ => (byte)Interop.AF_UNSPEC,
        };
        var result = new List<Neighbour>();
        Dump("neigh show", (ref NetlinkWriter w, uint seq) => NeighbourCodec.Dump(ref w, seq, nlFamily, index),
            (in NetlinkMessage m) =>
            {
                if (m.Type != Nl.RTM_NEWNEIGH || NeighbourCodec.Family(m.Payload) is not (Interop.AF_INET or Interop.AF_INET6))
                {
                    return;
                }
                var n = NeighbourCodec.ParseNeighbour(m.Payload);
                if (index == 0 || n.LinkIndex == index)
                {
                    result.Add(n);
                }
            },
            result.Clear);
        // Proxy entries live in a table of their own that only a dump with ndm_flags == NTF_PROXY returns.
        Dump("neigh show proxy", (ref NetlinkWriter w, uint seq) => NeighbourCodec.Dump(ref w, seq, nlFamily, index, Nda.NTF_PROXY),
            (in NetlinkMessage m) =>
            {
                if (m.Type != Nl.RTM_NEWNEIGH)
                {
                    return;
                }
                var n = NeighbourCodec.ParseNeighbour(m.Payload);
                if (n.IsProxy && (index == 0 || n.LinkIndex == index))
                {
                    result.Add(n);
                }
            },
            () => result.RemoveAll(n => n.IsProxy));
        return result;
    }

    private void NeighChange(string verb, ushort type, int flags, NeighbourSpec neighbour)
    {
        ArgumentNullException.ThrowIfNull(neighbour);
        ArgumentNullException.ThrowIfNull(neighbour.Address);
        if (neighbour.Address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            throw new ArgumentException($"invalid neighbour address \"{neighbour.Address}\"", nameof(neighbour));
        }
        if (type == Nl.RTM_NEWNEIGH && !neighbour.Proxy && neighbour.MacAddress is null)
        {
            throw new ArgumentException($"invalid neighbour {neighbour.Address}: a MAC address is needed", nameof(neighbour));
        }
        var operation = $"neigh {verb} {(neighbour.Proxy ? "proxy " : "")}{neighbour.Address}"
            + (neighbour.MacAddress is { } mac ? $" lladdr {mac}" : "") + $" dev {neighbour.Device}";
        var index = ResolveIndex(neighbour.Device, operation, "dev");
        Execute(operation, (ref NetlinkWriter w, uint seq) => NeighbourCodec.WriteNeighbour(ref w, seq, type, (ushort)flags, index, neighbour));
    }
}
