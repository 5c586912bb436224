using System.Net;
using System.Net.NetworkInformation;
using Netstack.Linux.Netlink.Wire;

namespace Netstack.Linux;

public sealed partial class NetlinkHandle
{
    /// <summary>Equivalent to <c>bridge fdb add MAC dev DEV dst VTEP self permanent</c>; fails if the MAC has an entry.</summary>
    public void FdbAdd(LinkRef device, PhysicalAddress mac, IPAddress? destination) =>
        FdbChange("add", Nl.RTM_NEWNEIGH, Nl.NLM_F_CREATE | Nl.NLM_F_EXCL, device, mac, destination);

    /// <summary>Adds a destination for the MAC (several VTEPs may share one, e.g. the all-zero MAC for flooding). Equivalent to <c>bridge fdb append ...</c>.</summary>
    public void FdbAppend(LinkRef device, PhysicalAddress mac, IPAddress? destination) =>
        FdbChange("append", Nl.RTM_NEWNEIGH, Nl.NLM_F_CREATE | Nl.NLM_F_APPEND, device, mac, destination);

    /// <summary>Equivalent to <c>bridge fdb replace MAC dev DEV dst VTEP self permanent</c>.</summary>
    public void FdbReplace(LinkRef device, PhysicalAddress mac, IPAddress? destination) =>
        FdbChange("replace", Nl.RTM_NEWNEIGH, Nl.NLM_F_CREATE | Nl.NLM_F_REPLACE, device, mac, destination);

    /// <summary>Equivalent to <c>bridge fdb del MAC dev DEV [dst VTEP] self</c>.</summary>
    public void FdbDelete(LinkRef device, PhysicalAddress mac, IPAddress? destination = null) =>
        FdbChange("del", Nl.RTM_DELNEIGH, 0, device, mac, destination);

    /// <summary>Lists the forwarding database of one device. Equivalent to <c>bridge fdb show dev DEV</c>.</summary>
    public IReadOnlyList<FdbEntry> FdbList(LinkRef device)
    {
        var index = ResolveIndex(device, $"fdb show dev {device}", "dev");
        var result = new List<FdbEntry>();
        Dump("fdb show", (ref NetlinkWriter w, uint seq) => NeighbourCodec.Dump(ref w, seq, Interop.AF_BRIDGE, index),
            (in NetlinkMessage m) =>
            {
                if (m.Type != Nl.RTM_NEWNEIGH)
                {
                    return;
                }
                var entry = NeighbourCodec.ParseFdb(m.Payload);
                if (entry.LinkIndex == index)
                {
                    result.Add(entry);
                }
            },
            result.Clear);
        return result;
    }

    private void FdbChange(string verb, ushort type, int flags, LinkRef device, PhysicalAddress mac, IPAddress? destination)
    {
        ArgumentNullException.ThrowIfNull(mac);
        if (mac.GetAddressBytes().Length != 6)
        {
            throw new ArgumentException($"invalid MAC address \"{mac}\": must be 6 bytes", nameof(mac));
        }
        var operation = $"fdb {verb} {mac} dev {device}" + (destination is null ? "" : $" dst {destination}");
        var index = ResolveIndex(device, operation, "dev");
        Execute(operation, (ref NetlinkWriter w, uint seq) => NeighbourCodec.WriteFdb(ref w, seq, type, (ushort)flags, index, mac, destination));
    }
}
