using System.Net;

namespace Netstack.Core;

/// <summary>Transport protocol of a published port.</summary>
public enum PortProtocol
{
    Tcp,
    Udp,
    Sctp,
}

/// <summary>
/// A published port (<c>-p [HOSTIP:]HOSTPORT:PORT[/proto]</c>). <see cref="HostPort"/> 0 asks the
/// driver to pick a free host port; the driver reports the port it chose.
/// </summary>
public sealed record PortBinding
{
    public PortProtocol Protocol { get; init; } = PortProtocol.Tcp;

    /// <summary>Port inside the container, 1..65535.</summary>
    public required int ContainerPort { get; init; }

    /// <summary>Host address to bind; null or <c>0.0.0.0</c> means all host addresses.</summary>
    public IPAddress? HostIp { get; init; }

    /// <summary>Host port, 1..65535, or 0 for "pick one".</summary>
    public int HostPort { get; init; }

    public override string ToString() =>
        $"{(HostIp is null ? string.Empty : HostIp + ":")}{HostPort}:{ContainerPort}/{Protocol.ToString().ToUpperInvariant()}";
}
