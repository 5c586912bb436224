using Netstack.Linux;

namespace Netstack.Drivers.Macvlan;

/// <summary>
/// The namespace where the parent interfaces (and the 802.1Q sub-interfaces the driver makes) live:
/// the process's own namespace for the daemon, a throwaway one in tests. Owns the netlink handle
/// bound to it; macvlans are created through this handle so that the kernel resolves the parent's
/// ifindex here even when the new link is placed directly in a sandbox (IFLA_LINK is looked up in
/// the requesting socket's namespace, IFLA_NET_NS_FD only says where the device goes).
/// </summary>
internal sealed class HostNetwork : IDisposable
{
    private readonly NetworkNamespace? _namespace;

    private HostNetwork(NetworkNamespace? ns, NetlinkHandle netlink)
    {
        _namespace = ns;
        Netlink = netlink;
    }

    public NetlinkHandle Netlink { get; }

    /// <summary>A description for messages: the namespace path, or "host".</summary>
    public string Description => _namespace?.Path ?? "the host namespace";

    /// <summary>Opens the namespace file at <paramref name="path"/>, or the current namespace when null.</summary>
    public static HostNetwork Open(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return new HostNetwork(null, NetlinkHandle.Open());
        }
        var ns = NetworkNamespace.Open(path);
        try
        {
            return new HostNetwork(ns, NetlinkHandle.Open(ns));
        }
        catch
        {
            ns.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Netlink.Dispose();
        _namespace?.Dispose();
    }
}
