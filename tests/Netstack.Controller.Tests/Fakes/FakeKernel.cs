using System.Collections.Concurrent;
using System.Net;
using Netstack.Core;

namespace Netstack.Controller.Tests;

/// <summary>
/// The "kernel" of the unit tests: namespaces with interfaces, addresses and routes, plus the
/// driver-side objects (networks, endpoints). It outlives controller and driver instances, as the
/// real kernel outlives a killed daemon.
/// </summary>
internal sealed class FakeKernel : ISandboxKernel
{
    private readonly Lock _lock = new();

    /// <summary>Namespace path to its interfaces.</summary>
    public Dictionary<string, Dictionary<string, FakeInterface>> Namespaces { get; } = new(StringComparer.Ordinal);

    /// <summary>Driver networks present ("bridges").</summary>
    public ConcurrentDictionary<string, byte> DriverNetworks { get; } = new(StringComparer.Ordinal);

    /// <summary>Driver endpoints present, with the sandbox and interface they joined, if any.</summary>
    public ConcurrentDictionary<string, (string? SandboxKey, string? Interface)> DriverEndpoints { get; } = new(StringComparer.Ordinal);

    /// <summary>Endpoint ids with ports programmed.</summary>
    public ConcurrentDictionary<string, IReadOnlyList<PortBinding>> Published { get; } = new(StringComparer.Ordinal);

    /// <summary>Driver type that made each network or endpoint id, so several fake drivers share the kernel and reconcile only their own objects.</summary>
    public ConcurrentDictionary<string, string> Owners { get; } = new(StringComparer.Ordinal);

    public string CreateNamespace(string directory, string name)
    {
        var path = Path.Combine(directory, name);
        lock (_lock)
        {
            if (!Namespaces.TryAdd(path, new Dictionary<string, FakeInterface>(StringComparer.Ordinal)))
            {
                throw new IOException($"namespace {path} exists");
            }
        }
        return path;
    }

    public void DeleteNamespace(string directory, string name)
    {
        lock (_lock)
        {
            Namespaces.Remove(Path.Combine(directory, name));
        }
    }

    public bool NamespaceExists(string path)
    {
        lock (_lock)
        {
            return Namespaces.ContainsKey(path);
        }
    }

    public IReadOnlyList<string> ListNamespaces(string directory)
    {
        lock (_lock)
        {
            return Namespaces.Keys.Where(k => Path.GetDirectoryName(k) == directory).Select(k => Path.GetFileName(k)).ToArray();
        }
    }

    public bool InterfaceExists(string sandboxKey, string interfaceName)
    {
        lock (_lock)
        {
            return Namespaces.TryGetValue(sandboxKey, out var ifs) && ifs.ContainsKey(interfaceName);
        }
    }

    public void DeleteInterface(string sandboxKey, string interfaceName)
    {
        lock (_lock)
        {
            if (Namespaces.TryGetValue(sandboxKey, out var ifs))
            {
                ifs.Remove(interfaceName);
            }
        }
    }

    public void ConfigureInterface(string sandboxKey, string interfaceName, CidrAddress? ipv4, CidrAddress? ipv6)
    {
        lock (_lock)
        {
            var iface = Interface(sandboxKey, interfaceName);
            foreach (var a in new[] { ipv4, ipv6 })
            {
                if (a is { } address && !iface.Addresses.Contains(address))
                {
                    iface.Addresses.Add(address);
                }
            }
            iface.Up = true;
        }
    }

    public void ReplaceRoute(string sandboxKey, string interfaceName, IPNetwork? destination, IPAddress? nextHop)
    {
        lock (_lock)
        {
            var iface = Interface(sandboxKey, interfaceName);
            var ns = Namespaces[sandboxKey];
            if (destination is null)
            {
                // A default route is unique per family: replacing moves it.
                foreach (var other in ns.Values)
                {
                    other.Routes.RemoveAll(r => r.Destination is null && r.NextHop?.AddressFamily == nextHop?.AddressFamily);
                }
            }
            iface.Routes.RemoveAll(r => r.Destination == destination && r.NextHop?.AddressFamily == nextHop?.AddressFamily);
            iface.Routes.Add((destination, nextHop));
        }
    }

    public void Forget(string sandboxKey)
    {
    }

    /// <summary>Called by the fake driver at join: the interface appears in the sandbox, down, without addresses.</summary>
    public void AddInterface(string sandboxKey, string name, string mac)
    {
        lock (_lock)
        {
            if (!Namespaces.TryGetValue(sandboxKey, out var ifs))
            {
                throw new IOException($"no namespace {sandboxKey}");
            }
            if (!ifs.TryAdd(name, new FakeInterface(name, mac)))
            {
                throw new IOException($"interface {name} exists in {sandboxKey}");
            }
        }
    }

    public void RemoveInterface(string sandboxKey, string name)
    {
        lock (_lock)
        {
            if (Namespaces.TryGetValue(sandboxKey, out var ifs))
            {
                ifs.Remove(name);
            }
        }
    }

    public FakeInterface? Find(string sandboxKey, string name)
    {
        lock (_lock)
        {
            return Namespaces.TryGetValue(sandboxKey, out var ifs) ? ifs.GetValueOrDefault(name) : null;
        }
    }

    public IPAddress? DefaultGateway(string sandboxKey)
    {
        lock (_lock)
        {
            return Namespaces[sandboxKey].Values.SelectMany(i => i.Routes).Where(r => r.Destination is null).Select(r => r.NextHop).FirstOrDefault();
        }
    }

    private FakeInterface Interface(string sandboxKey, string name) =>
        Namespaces.TryGetValue(sandboxKey, out var ifs) && ifs.TryGetValue(name, out var iface)
            ? iface
            : throw new IOException($"no interface {name} in {sandboxKey}");
}

internal sealed class FakeInterface(string name, string mac)
{
    public string Name { get; } = name;

    public string Mac { get; } = mac;

    public bool Up { get; set; }

    public List<CidrAddress> Addresses { get; } = [];

    public List<(IPNetwork? Destination, IPAddress? NextHop)> Routes { get; } = [];
}
