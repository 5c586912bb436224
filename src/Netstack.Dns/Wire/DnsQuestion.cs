namespace Netstack.Dns.Wire;

/// <summary>One entry of the question section (RFC 1035 4.1.2).</summary>
public sealed record DnsQuestion(string Name, DnsRecordType Type, ushort Class = DnsClass.Internet);
