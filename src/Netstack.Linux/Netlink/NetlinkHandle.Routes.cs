using System.Net.Sockets;
using Netstack.Linux.Netlink.Wire;

namespace Netstack.Linux;

public sealed partial class NetlinkHandle
{
    /// <summary>Equivalent to <c>ip route add DEST [via GW] [dev DEV] [onlink] [table T]</c>; fails if it exists.</summary>
    public void RouteAdd(RouteSpec route) => RouteChange("add", Nl.RTM_NEWROUTE, Nl.NLM_F_CREATE | Nl.NLM_F_EXCL, route);

    /// <summary>Equivalent to <c>ip route replace ...</c>: creates or overwrites.</summary>
    public void RouteReplace(RouteSpec route) => RouteChange("replace", Nl.RTM_NEWROUTE, Nl.NLM_F_CREATE | Nl.NLM_F_REPLACE, route);

    /// <summary>Equivalent to <c>ip route del ...</c>.</summary>
    public void RouteDelete(RouteSpec route) => RouteChange("del", Nl.RTM_DELROUTE, 0, route);

    /// <summary>
    /// Lists routes of one family, from table <paramref name="table"/> (main by default; 0 = every table).
    /// Equivalent to <c>ip [-6] route show [table T]</c>.
    /// </summary>
    public IReadOnlyList<Route> RouteList(AddressFamily family = AddressFamily.InterNetwork, uint table = Rta.RT_TABLE_MAIN)
    {
        var nlFamily = family == AddressFamily.InterNetworkV6 ? (byte)Interop.AF_INET6 : (byte)Interop.AF_INET;
        var result = new List<Route>();
        Dump("route show", (ref NetlinkWriter w, uint seq) => RouteCodec.Dump(ref w, seq, nlFamily),
            (in NetlinkMessage m) =>
            {
                if (m.Type != Nl.RTM_NEWROUTE)
                {
                    return;
                }
                var route = RouteCodec.Parse(m.Payload);
                if (table == 0 || route.Table == table)
                {
                    result.Add(route);
                }
            },
            result.Clear);
        return result;
    }

    private void RouteChange(string verb, ushort type, int flags, RouteSpec route)
    {
        ArgumentNullException.ThrowIfNull(route);
        var destination = route.Destination?.ToString() ?? "default";
        if (route.Gateway is { } gw && route.Destination is { } dst && gw.AddressFamily != dst.BaseAddress.AddressFamily)
        {
            throw new ArgumentException($"invalid route {destination}: gateway {gw} is not of the destination's address family", nameof(route));
        }
        if (route.Gateway is null && route.Device is null && type != Nl.RTM_DELROUTE)
        {
            throw new ArgumentException($"invalid route {destination}: needs a gateway or a device", nameof(route));
        }
        var operation = $"route {verb} {destination}"
            + (route.Gateway is { } g ? $" via {g}" : "")
            + (route.Device is { } d ? $" dev {d}" : "");
        var index = route.Device is { } device ? ResolveIndex(device, operation, "dev") : 0;
        Execute(operation, (ref NetlinkWriter w, uint seq) => RouteCodec.Write(ref w, seq, type, (ushort)flags, route, index));
    }
}
