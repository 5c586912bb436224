namespace Netstack.Runtime.Containers;

/// <summary>
/// A port to publish, <c>-p [HOSTIP:]HOSTPORT:PORT[/PROTO]</c>: container port 1-65535, host
/// port 0-65535 (0: any free port), protocol "tcp" or "udp", host IP null for every address.
/// </summary>
public sealed record PortRequest(int ContainerPort, string Protocol = "tcp", string? HostIp = null, int HostPort = 0);
