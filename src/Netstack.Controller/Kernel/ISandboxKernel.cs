using System.Net;
using Netstack.Core;

namespace Netstack.Controller;

/// <summary>
/// The kernel work the controller does itself (drivers do the rest): sandbox namespaces and the
/// layer-3 set-up of interfaces inside them. Implemented on Netstack.Linux; faked in unit tests.
/// Every call is idempotent, so undo and reconcile can repeat it.
/// </summary>
internal interface ISandboxKernel
{
    /// <summary>Creates the named namespace DIRECTORY/NAME with loopback up; returns its path.</summary>
    string CreateNamespace(string directory, string name);

    /// <summary>Removes the named namespace; absent is success.</summary>
    void DeleteNamespace(string directory, string name);

    /// <summary>True when a namespace file exists at <paramref name="path"/> and is a namespace.</summary>
    bool NamespaceExists(string path);

    /// <summary>Names of the namespaces in the directory.</summary>
    IReadOnlyList<string> ListNamespaces(string directory);

    /// <summary>True when the interface exists in the sandbox.</summary>
    bool InterfaceExists(string sandboxKey, string interfaceName);

    /// <summary>Deletes the interface from the sandbox; nothing when it is not there.</summary>
    void DeleteInterface(string sandboxKey, string interfaceName);

    /// <summary>Adds the addresses (keeping ones already there) and sets the interface up.</summary>
    void ConfigureInterface(string sandboxKey, string interfaceName, CidrAddress? ipv4, CidrAddress? ipv6);

    /// <summary>Installs (replaces) a route in the sandbox through the interface; null destination = default route.</summary>
    void ReplaceRoute(string sandboxKey, string interfaceName, IPNetwork? destination, IPAddress? nextHop);

    /// <summary>Forgets cached handles of a sandbox (it is going away).</summary>
    void Forget(string sandboxKey);
}
