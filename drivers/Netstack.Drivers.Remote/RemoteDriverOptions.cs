namespace Netstack.Drivers.Remote;

/// <summary>Where remote-driver plugins are looked for and how long Netstack waits for them.</summary>
public sealed class RemoteDriverOptions
{
    /// <summary>Docker's socket directory: <c>NAME.sock</c> or <c>NAME/NAME.sock</c> in it is a plugin.</summary>
    public const string DefaultSocketDirectory = "/run/docker/plugins";

    /// <summary>Directories of <c>.sock</c> files, searched first, in order.</summary>
    public IList<string> SocketDirectories { get; } = [DefaultSocketDirectory];

    /// <summary>Directories of <c>NAME.spec</c> (a URL) and <c>NAME.json</c> files, searched after the sockets, in order.</summary>
    public IList<string> SpecDirectories { get; } = ["/etc/docker/plugins", "/usr/lib/docker/plugins"];

    /// <summary>
    /// How long <c>/Plugin.Activate</c> is retried while the plugin cannot be reached (not started yet,
    /// socket not there yet), as Docker retries with backoff. Docker waits 30 s; the daemon blocks a
    /// lookup that long at most, so the default is shorter.
    /// </summary>
    public TimeSpan ActivationTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The first pause between activation attempts; it doubles up to <see cref="MaxActivationBackoff"/>.</summary>
    public TimeSpan InitialActivationBackoff { get; set; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan MaxActivationBackoff { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long one call may take, from connecting to the last byte of the answer.</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The largest answer accepted from a plugin; a bigger one is a protocol error.</summary>
    public int MaxResponseBytes { get; set; } = 1 << 20;

    /// <summary>
    /// Path of the network namespace file the plugins' interfaces appear in (<c>SrcName</c> of a join);
    /// null (the default) is the daemon's own namespace. Tests pass a throwaway namespace that acts as the host.
    /// </summary>
    public string? HostNamespacePath { get; set; }
}
