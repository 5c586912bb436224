namespace Netstack.Dns.Wire;

/// <summary>Resource record TYPE values (RFC 1035 3.2.2, RFC 3596 for AAAA, RFC 2782 for SRV, RFC 6891 for OPT).</summary>
public enum DnsRecordType : ushort
{
    A = 1,
    NS = 2,
    CNAME = 5,
    SOA = 6,
    PTR = 12,
    MX = 15,
    TXT = 16,
    AAAA = 28,
    SRV = 33,
    OPT = 41,
    ANY = 255,
}
