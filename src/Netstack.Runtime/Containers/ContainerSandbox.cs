namespace Netstack.Runtime.Containers;

/// <summary>
/// The network side of a start, made by the controller: the sandbox's network namespace and the
/// contents of the container's /etc/hosts and /etc/resolv.conf.
/// </summary>
/// <param name="NetworkNamespace">Path of the namespace file (<c>/run/netstack/netns/ID</c>); null gives the container a new, empty one (<c>--network none</c>).</param>
/// <param name="Hosts">Contents of /etc/hosts; null writes localhost entries and the container's hostname.</param>
/// <param name="ResolvConf">Contents of /etc/resolv.conf; null writes an empty one.</param>
/// <param name="HostNetwork">True for <c>--network host</c>: no network namespace of its own, runc's (the daemon's) is shared; NetworkNamespace must be null.</param>
public sealed record ContainerSandbox(string? NetworkNamespace, string? Hosts = null, string? ResolvConf = null, bool HostNetwork = false);
