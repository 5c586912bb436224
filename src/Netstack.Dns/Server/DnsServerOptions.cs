namespace Netstack.Dns.Server;

/// <summary>Transport limits of a <see cref="DnsServer"/>.</summary>
public sealed class DnsServerOptions
{
    /// <summary>
    /// A TCP connection is closed when no complete message arrives for this long (RFC 7766 6.2.3
    /// suggests seconds); it also bounds how long a half-sent message can hold a connection.
    /// </summary>
    public TimeSpan TcpIdleTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>TCP connections served at once; newer ones are closed at accept.</summary>
    public int MaxTcpConnections { get; init; } = 64;

    /// <summary>Receive loops on the UDP socket; one per core keeps both cores busy under load.</summary>
    public int UdpReceiveLoops { get; init; } = Math.Max(2, Environment.ProcessorCount);

    public void Validate()
    {
        if (TcpIdleTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(TcpIdleTimeout), TcpIdleTimeout, "the TCP idle timeout must be positive");
        }

        if (MaxTcpConnections < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxTcpConnections), MaxTcpConnections, "at least one TCP connection must be allowed");
        }

        if (UdpReceiveLoops < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(UdpReceiveLoops), UdpReceiveLoops, "at least one UDP receive loop is needed");
        }
    }
}
