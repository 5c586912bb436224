namespace Netstack.Upstream;

/// <summary>The protocols a router may speak to open ports for hosts behind it.</summary>
public enum UpstreamProtocol
{
    /// <summary>UPnP Internet Gateway Device: SSDP discovery, then SOAP to WANIPConnection / WANPPPConnection.</summary>
    Upnp,

    /// <summary>NAT Port Mapping Protocol, RFC 6886: UDP to the default gateway's port 5351.</summary>
    NatPmp,

    /// <summary>Port Control Protocol, RFC 6887: NAT-PMP's successor on the same port.</summary>
    Pcp,
}

/// <summary>Transport of a mapped port.</summary>
public enum MappingTransport
{
    Tcp,
    Udp,
}

/// <summary>Names as the command line and the API spell them.</summary>
public static class UpstreamNames
{
    public static string Of(UpstreamProtocol protocol) => protocol switch
    {
        UpstreamProtocol.Upnp => "upnp",
        UpstreamProtocol.NatPmp => "natpmp",
        _ => "pcp",
    };

    public static string Of(MappingTransport transport) => transport == MappingTransport.Udp ? "udp" : "tcp";
}
