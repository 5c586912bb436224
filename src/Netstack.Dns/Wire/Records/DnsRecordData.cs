using System.Net;

namespace Netstack.Dns.Wire;

/// <summary>The decoded RDATA of a record. Types this codec does not know stay raw (<see cref="DnsRawData"/>).</summary>
public abstract record DnsRecordData;

/// <summary>A (4 bytes, RFC 1035 3.4.1) or AAAA (16 bytes, RFC 3596 2.2).</summary>
public sealed record DnsAddressData(IPAddress Address) : DnsRecordData;

/// <summary>A single domain name: CNAME, PTR, NS (RFC 1035 3.3).</summary>
public sealed record DnsNameData(string Name) : DnsRecordData;

/// <summary>MX (RFC 1035 3.3.9).</summary>
public sealed record DnsMxData(ushort Preference, string Exchange) : DnsRecordData;

/// <summary>SRV (RFC 2782): the target is never compressed on write.</summary>
public sealed record DnsSrvData(ushort Priority, ushort Weight, ushort Port, string Target) : DnsRecordData;

/// <summary>TXT (RFC 1035 3.3.14): one or more character-strings of at most 255 bytes each.</summary>
public sealed record DnsTxtData(IReadOnlyList<byte[]> Strings) : DnsRecordData;

/// <summary>SOA (RFC 1035 3.3.13).</summary>
public sealed record DnsSoaData(string PrimaryServer, string Mailbox, uint Serial, uint Refresh, uint Retry, uint Expire, uint Minimum) : DnsRecordData;

/// <summary>RDATA kept as bytes: OPT options (RFC 6891) and every type without a decoder (RFC 3597).</summary>
public sealed record DnsRawData(ReadOnlyMemory<byte> Bytes) : DnsRecordData;
