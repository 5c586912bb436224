namespace Netstack.Linux;

/// <summary>
/// The namespace a driver treats as "the host": the process's own network namespace for the
/// daemon, a throwaway one in tests. Owns a netlink handle bound to it (links made through it
/// resolve ifindexes such as a macvlan's parent there, even when the new link is placed straight
/// into a sandbox: IFLA_LINK is looked up in the requesting socket's namespace), runs code and
/// sysctl reads and writes inside it.
/// </summary>
public sealed class HostNetwork : IDisposable
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

    /// <summary>A description for messages: the namespace path, or "the host namespace".</summary>
    public string Description => _namespace?.Path ?? "the host namespace";

    /// <summary>Opens the namespace file at <paramref name="path"/>, or the current namespace when null or empty.</summary>
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
    public T RunInside<T>(Func<T> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return _namespace is null ? body() : _namespace.Run(body);
    }

    public string ReadSysctl(string key) => Sysctl.Read(key, _namespace);

    public void WriteSysctl(string key, string value) => Sysctl.Write(key, value, _namespace);

    public void Dispose()
    {
        Netlink.Dispose();
        _namespace?.Dispose();
    }
}
