namespace Netstack.Drivers.Macvlan;

/// <summary>Settings of the macvlan driver.</summary>
public sealed class MacvlanDriverOptions
{
    /// <summary>
    /// Path of the network namespace file that holds the parent interfaces; null (the default) is the
    /// daemon's own namespace. Tests pass a throwaway namespace that acts as the host.
    /// </summary>
    public string? HostNamespacePath { get; set; }
}
