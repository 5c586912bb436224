namespace Netstack.Dns.Wire;

/// <summary>Why a DNS message was rejected by the strict parser.</summary>
public enum DnsFormatError
{
    /// <summary>The message is shorter than its 12-byte header.</summary>
    ShortHeader,
    /// <summary>A field, label or record runs past the end of the message (also: counts larger than the data).</summary>
    PastEnd,
    /// <summary>A label is longer than 63 bytes (RFC 1035 2.3.4) or uses the reserved 0x40/0x80 label types.</summary>
    BadLabel,
    /// <summary>A name is longer than 255 bytes in wire form (RFC 1035 2.3.4).</summary>
    NameTooLong,
    /// <summary>A compression pointer points forward or into the name being read, which could loop (RFC 1035 4.1.4 only allows prior occurrences).</summary>
    BadPointer,
    /// <summary>A record's RDATA does not match its RDLENGTH or its type's layout.</summary>
    BadRecordData,
    /// <summary>Bytes remain after the last record the header counts announce.</summary>
    TrailingData,
    /// <summary>A name given in text form cannot be encoded (empty label, bad escape).</summary>
    BadNameText,
    /// <summary>The destination buffer is too small for the message.</summary>
    BufferTooSmall,
}
