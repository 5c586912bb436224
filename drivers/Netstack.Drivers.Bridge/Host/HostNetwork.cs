using Netstack.Linux;

namespace Netstack.Drivers.Bridge;

/// <summary>
/// The namespace where the driver's bridges and firewall rules live: the process's own namespace
/// for the daemon, a throwaway one in tests. Owns the netlink handle bound to it and runs sysctl
/// writes inside it.
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

    /// <summary>The namespace, or null for the process's own.</summary>
    public NetworkNamespace? Namespace => _namespace;

    /// <summary>A description for messages: the namespace path, or "host".</summary>
    public string Description => _namespace?.Path ?? "host";

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

    /// <summary>Runs <paramref name="body"/> on a thread inside the namespace (directly when it is the current one).</summary>
    public T RunInside<T>(Func<T> body) => _namespace is null ? body() : _namespace.Run(body);

    public string ReadSysctl(string key) => Sysctl.Read(key, _namespace);

    public void WriteSysctl(string key, string value) => Sysctl.Write(key, value, _namespace);

    public void Dispose()
    {
        Netlink.Dispose();
        _namespace?.Dispose();
    }
}
