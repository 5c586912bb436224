using System.Collections.Concurrent;
using System.Net;
using Netstack.Core;
using Netstack.Linux;

namespace Netstack.Controller;

/// <summary>
/// <see cref="ISandboxKernel"/> over Netstack.Linux. One rtnetlink handle per sandbox is opened on
/// first use and kept: opening one enters the namespace on a fresh OS thread, which is the costly
/// part, while the socket then works from any thread.
/// </summary>
internal sealed class LinuxSandboxKernel : ISandboxKernel, IDisposable
{
    private readonly ConcurrentDictionary<string, NetlinkHandle> _handles = new(StringComparer.Ordinal);

    public string CreateNamespace(string directory, string name)
    {
        using var ns = NetworkNamespace.Create(name, directory);
        using var handle = NetlinkHandle.Open(ns);
        handle.LinkSetUp("lo");
        return ns.Path;
    }

    public void DeleteNamespace(string directory, string name)
    {
        Forget(Path.Combine(directory, name));
        if (NetworkNamespace.Exists(name, directory))
        {
            NetworkNamespace.Delete(name, directory);
        }
    }

    public bool NamespaceExists(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }
        try
        {
            // A bind-mount target whose mount is gone (after a reboot /run is empty anyway, but an
            // unmounted leftover file is possible) is a plain empty file: opening it as a namespace fails.
            using var ns = NetworkNamespace.Open(path);
            return true;
        }
        catch (NetlinkException)
        {
            return false;
        }
    }

    public IReadOnlyList<string> ListNamespaces(string directory) => NetworkNamespace.List(directory);

    public bool InterfaceExists(string sandboxKey, string interfaceName) =>
        Handle(sandboxKey).LinkFind(interfaceName) is not null;

    public void DeleteInterface(string sandboxKey, string interfaceName)
    {
        var nl = Handle(sandboxKey);
        if (nl.LinkFind(interfaceName) is { } link)
        {
            try
            {
                nl.LinkDelete(link.Index);
            }
            catch (NetlinkNotFoundException)
            {
                // Gone meanwhile: what was wanted.
            }
        }
    }

    public void ConfigureInterface(string sandboxKey, string interfaceName, CidrAddress? ipv4, CidrAddress? ipv6)
    {
        var nl = Handle(sandboxKey);
        var present = nl.AddrList(interfaceName).Select(a => a.Address.Address).ToHashSet();
        if (ipv6 is { } v6 && !present.Contains(v6.Address))
        {
            // IPAM made the address unique on the network, so duplicate address detection (RFC 4862
            // 5.4) only costs time: the address would stay "tentative", unusable, for about a second.
            // Docker skips DAD in containers for the same reason.
            using var ns = NetworkNamespace.Open(sandboxKey);
            Sysctl.Write($"net/ipv6/conf/{interfaceName}/accept_dad", "0", ns);
        }
        foreach (var address in new[] { ipv4, ipv6 })
        {
            if (address is { } a && !present.Contains(a.Address))
            {
                nl.AddrAdd(interfaceName, new InterfaceAddress(a.Address, a.PrefixLength));
            }
        }
        nl.LinkSetUp(interfaceName);
    }

    public void ReplaceRoute(string sandboxKey, string interfaceName, IPNetwork? destination, IPAddress? nextHop) =>
        Handle(sandboxKey).RouteReplace(new RouteSpec { Destination = destination, Gateway = nextHop, Device = interfaceName });

    public void Forget(string sandboxKey)
    {
        if (_handles.TryRemove(sandboxKey, out var handle))
        {
            handle.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var key in _handles.Keys)
        {
            Forget(key);
        }
    }

    private NetlinkHandle Handle(string sandboxKey) =>
        _handles.GetOrAdd(sandboxKey, static key =>
        {
            using var ns = NetworkNamespace.Open(key);
            return NetlinkHandle.Open(ns);
        });
}
