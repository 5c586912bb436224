namespace Netstack.Dns.Wire;

/// <summary>RCODE of the header (RFC 1035 4.1.1); the 4-bit field, without the EDNS extended bits.</summary>
public enum DnsResponseCode : byte
{
    NoError = 0,
    FormatError = 1,
    ServerFailure = 2,
    NameError = 3,
    NotImplemented = 4,
    Refused = 5,
}
