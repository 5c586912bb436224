using System.Net.Sockets;
using Netstack.Linux.Netlink.Wire;

namespace Netstack.Linux;

public sealed partial class NetlinkHandle
{
    /// <summary>
    /// Equivalent to <c>ip addr add ADDR/LEN dev NAME [nodad]</c>. <paramref name="noDad"/> skips IPv6
    /// duplicate address detection, so the address is usable at once (container addresses are
    /// allocated centrally, so DAD only delays them).
    /// </summary>
    public void AddrAdd(LinkRef link, InterfaceAddress address, bool noDad = false) => AddrChange(true, link, address, noDad);

    /// <summary>Equivalent to <c>ip addr del ADDR/LEN dev NAME</c>.</summary>
    public void AddrDelete(LinkRef link, InterfaceAddress address) => AddrChange(false, link, address);

    /// <summary>
    /// Lists addresses, optionally of one link and one family. Equivalent to
    /// <c>ip [-4|-6] addr show [dev NAME]</c>.
    /// </summary>
    public IReadOnlyList<AddressInfo> AddrList(LinkRef? link = null, AddressFamily family = AddressFamily.Unspecified)
    {
        var index = link is { } l ? ResolveIndex(l, $"addr show dev {l}", "link") : 0;
        var nlFamily = family switch
        {
            AddressFamily.InterNetwork => (byte)Interop.AF_INET,
            AddressFamily.InterNetworkV6 => (byte)Interop.AF_INET6,
            _ => (byte)Interop.AF_UNSPEC,
        };
        var result = new List<AddressInfo>();
        Dump("addr show", (ref NetlinkWriter w, uint seq) => AddressCodec.Dump(ref w, seq, nlFamily),
            (in NetlinkMessage m) =>
            {
                if (m.Type != Nl.RTM_NEWADDR)
                {
                    return;
                }
                var info = AddressCodec.Parse(m.Payload);
                if (index == 0 || info.LinkIndex == index)
                {
                    result.Add(info);
                }
            },
            result.Clear);
        return result;
    }

    private void AddrChange(bool add, LinkRef link, InterfaceAddress address, bool noDad = false)
    {
        if (address.Address is null)
        {
            throw new ArgumentException("invalid address: it is empty", nameof(address));
        }
        var operation = $"addr {(add ? "add" : "del")} {address} dev {link}";
        var index = ResolveIndex(link, operation, "dev");
        Execute(operation, (ref NetlinkWriter w, uint seq) => AddressCodec.Write(ref w, seq, add, index, address, noDad));
    }
}
