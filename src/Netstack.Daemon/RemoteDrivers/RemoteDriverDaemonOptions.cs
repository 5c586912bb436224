using Microsoft.Extensions.Configuration;

namespace Netstack.Daemon.RemoteDrivers;

/// <summary>
/// Where netstackd looks for third-party remote-driver plugins (<c>--plugin-socket-dir</c>,
/// <c>--plugin-spec-dir</c>, repeatable); empty: Docker's directories.
/// </summary>
public sealed class RemoteDriverDaemonOptions
{
    [ConfigurationKeyName("plugin-socket-dir")]
    public string[] SocketDirectories { get; set; } = [];

    [ConfigurationKeyName("plugin-spec-dir")]
    public string[] SpecDirectories { get; set; } = [];
}
