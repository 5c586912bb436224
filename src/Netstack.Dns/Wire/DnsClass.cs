namespace Netstack.Dns.Wire;

/// <summary>CLASS values (RFC 1035 3.2.4). OPT records reuse the field as the UDP payload size (RFC 6891 6.1.2).</summary>
public static class DnsClass
{
    public const ushort Internet = 1;
    public const ushort Chaos = 3;
    public const ushort Any = 255;
}
