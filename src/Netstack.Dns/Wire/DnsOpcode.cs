namespace Netstack.Dns.Wire;

/// <summary>OPCODE of the header (RFC 1035 4.1.1, RFC 1996 for NOTIFY, RFC 2136 for UPDATE).</summary>
public enum DnsOpcode : byte
{
    Query = 0,
    InverseQuery = 1,
    Status = 2,
    Notify = 4,
    Update = 5,
}
