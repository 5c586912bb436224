namespace Netstack.Dns.Wire;

/// <summary>
/// One resource record (RFC 1035 4.1.3). For OPT (RFC 6891) <see cref="Class"/> is the sender's UDP
/// payload size and <see cref="Ttl"/> holds the extended RCODE, version and flags; both are kept as-is.
/// </summary>
public sealed record DnsResourceRecord(string Name, DnsRecordType Type, ushort Class, uint Ttl, DnsRecordData Data)
{
    public static DnsResourceRecord Address(string name, System.Net.IPAddress address, uint ttl)
    {
        ArgumentNullException.ThrowIfNull(address);
        var type = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? DnsRecordType.AAAA : DnsRecordType.A;
        return new DnsResourceRecord(name, type, DnsClass.Internet, ttl, new DnsAddressData(address));
    }
}
