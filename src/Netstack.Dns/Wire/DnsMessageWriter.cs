using System.Buffers.Binary;
using System.Net.Sockets;

namespace Netstack.Dns.Wire;

/// <summary>
/// Writes a message into a caller's buffer. Names are compressed against earlier names (RFC 1035
/// 4.1.4) when a compression table is in use; pointers can only reach the first 16 KiB (14 bits).
/// </summary>
public ref struct DnsMessageWriter
{
    // A pointer has 14 bits of offset.
    private const int MaxPointerOffset = 0x3FFF;

    private readonly Span<byte> _buffer;
    private readonly Dictionary<string, int>? _names;

    public DnsMessageWriter(Span<byte> buffer, bool compress = true)
    {
        _buffer = buffer;
        _names = compress ? new Dictionary<string, int>(StringComparer.Ordinal) : null;
        Position = DnsHeader.Size;
    }

    /// <summary>Bytes written so far; the header's 12 bytes are reserved from the start.</summary>
    public int Position { get; private set; }

    public readonly int Capacity => _buffer.Length;

    public readonly int Remaining => _buffer.Length - Position;

    public readonly ReadOnlySpan<byte> Written => _buffer[..Position];

    public readonly void WriteHeader(DnsHeader header) => header.Write(_buffer);

    public void WriteUInt16(ushort value)
    {
        Ensure(2);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[Position..], value);
        Position += 2;
    }

    public void WriteUInt32(uint value)
    {
        Ensure(4);
        BinaryPrimitives.WriteUInt32BigEndian(_buffer[Position..], value);
        Position += 4;
    }

    public void WriteBytes(scoped ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer[Position..]);
        Position += bytes.Length;
    }

    /// <summary>Writes a pointer to a name already in the message (e.g. 12, the first question's name).</summary>
    public void WritePointer(int offset)
    {
        if ((uint)offset > MaxPointerOffset)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, "compression pointers reach only the first 16383 bytes");
        }

        WriteUInt16((ushort)(0xC000 | offset));
    }

    /// <summary>Writes a name, compressed against earlier names when <paramref name="compress"/> and the table allow.</summary>
    public void WriteName(string name, bool compress = true, string field = "name")
    {
        var text = DnsName.TrimRootDot(name);
        Span<byte> wire = stackalloc byte[DnsName.MaxWireLength];
        var length = DnsName.Encode(text, wire, field);
        if (_names is null || text.Length == 0)
        {
            WriteBytes(wire[..length]);
            return;
        }

        Span<int> starts = stackalloc int[128];
        var labels = DnsName.LabelStarts(text, starts);
        var start = Position;
        var wireOffset = 0;
        for (var label = 0; label < labels; label++)
        {
            var suffix = label == 0 ? text : text[starts[label]..];
            if (compress && _names.TryGetValue(suffix, out var target))
            {
                WriteBytes(wire[..wireOffset]);
                WritePointer(target);
                RememberSuffixes(text, starts, label, start, wire);
                return;
            }

            wireOffset += 1 + wire[wireOffset];
        }

        WriteBytes(wire[..length]);
        RememberSuffixes(text, starts, labels, start, wire);
    }

    public void WriteQuestion(DnsQuestion question)
    {
        ArgumentNullException.ThrowIfNull(question);
        WriteName(question.Name, field: "question name");
        WriteUInt16((ushort)question.Type);
        WriteUInt16(question.Class);
    }

    /// <summary>
    /// Writes a record if it fits in what is left of the buffer (judged on its uncompressed size,
    /// so a record may be refused a little early), else returns false and writes nothing.
    /// </summary>
    public bool TryWriteRecord(DnsResourceRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (MaxEncodedLength(record) > Remaining)
        {
            return false;
        }

        WriteRecord(record);
        return true;
    }

    public void WriteRecord(DnsResourceRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        WriteName(record.Name, field: $"{record.Type} record name");
        WriteUInt16((ushort)record.Type);
        WriteUInt16(record.Class);
        WriteUInt32(record.Ttl);
        Ensure(2);
        var lengthAt = Position;
        Position += 2;
        WriteRecordData(record);
        var rdLength = Position - lengthAt - 2;
        if (rdLength > ushort.MaxValue)
        {
            throw new DnsFormatException(DnsFormatError.BadRecordData, lengthAt, $"{record.Type} record '{record.Name}' has {rdLength} bytes of data, more than 65535");
        }

        BinaryPrimitives.WriteUInt16BigEndian(_buffer[lengthAt..], (ushort)rdLength);
    }

    /// <summary>The most bytes a record can take: its names uncompressed.</summary>
    public static int MaxEncodedLength(DnsResourceRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var data = record.Data switch
        {
            DnsAddressData a => a.Address.AddressFamily == AddressFamily.InterNetworkV6 ? 16 : 4,
            DnsNameData n => DnsName.WireLength(n.Name),
            DnsMxData mx => 2 + DnsName.WireLength(mx.Exchange),
            DnsSrvData srv => 6 + DnsName.WireLength(srv.Target),
            DnsTxtData txt => txt.Strings.Sum(s => 1 + s.Length),
            DnsSoaData soa => DnsName.WireLength(soa.PrimaryServer) + DnsName.WireLength(soa.Mailbox) + 20,
            DnsRawData raw => raw.Bytes.Length,
            _ => 0,
        };
        return DnsName.WireLength(record.Name) + 10 + data;
    }

    private void WriteRecordData(DnsResourceRecord record)
    {
        switch (record.Data)
        {
            case DnsAddressData address:
                var expected = record.Type == DnsRecordType.AAAA ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
                if (address.Address.AddressFamily != expected)
                {
                    throw new DnsFormatException(DnsFormatError.BadRecordData, Position, $"{record.Type} record '{record.Name}' holds {address.Address.AddressFamily} address {address.Address}");
                }

                Ensure(expected == AddressFamily.InterNetworkV6 ? 16 : 4);
                address.Address.TryWriteBytes(_buffer[Position..], out var written);
                Position += written;
                break;
            case DnsNameData name:
                WriteName(name.Name, field: $"{record.Type} record data");
                break;
            case DnsMxData mx:
                WriteUInt16(mx.Preference);
                WriteName(mx.Exchange, field: "MX exchange");
                break;
            case DnsSrvData srv:
                WriteUInt16(srv.Priority);
                WriteUInt16(srv.Weight);
                WriteUInt16(srv.Port);
                // RFC 2782: "name compression is not to be used for this field".
                WriteName(srv.Target, compress: false, field: "SRV target");
                break;
            case DnsTxtData txt:
                foreach (var s in txt.Strings)
                {
                    if (s.Length > 255)
                    {
                        throw new DnsFormatException(DnsFormatError.BadRecordData, Position, $"TXT record '{record.Name}' has a {s.Length}-byte string; at most 255");
                    }

                    Ensure(1 + s.Length);
                    _buffer[Position++] = (byte)s.Length;
                    WriteBytes(s);
                }

                break;
            case DnsSoaData soa:
                WriteName(soa.PrimaryServer, field: "SOA mname");
                WriteName(soa.Mailbox, field: "SOA rname");
                WriteUInt32(soa.Serial);
                WriteUInt32(soa.Refresh);
                WriteUInt32(soa.Retry);
                WriteUInt32(soa.Expire);
                WriteUInt32(soa.Minimum);
                break;
            case DnsRawData raw:
                WriteBytes(raw.Bytes.Span);
                break;
            default:
                throw new DnsFormatException(DnsFormatError.BadRecordData, Position, $"{record.Type} record '{record.Name}' has no data");
        }
    }

    // Records where the first `labels` suffixes of a name written at `start` begin, for later pointers.
    private readonly void RememberSuffixes(string text, scoped ReadOnlySpan<int> starts, int labels, int start, scoped ReadOnlySpan<byte> wire)
    {
        var wireOffset = 0;
        for (var label = 0; label < labels; label++)
        {
            var offset = start + wireOffset;
            if (offset > MaxPointerOffset)
            {
                break;
            }

            var suffix = label == 0 ? text : text[starts[label]..];
            _names!.TryAdd(suffix, offset);
            wireOffset += 1 + wire[wireOffset];
        }
    }

    private readonly void Ensure(int count)
    {
        if (Position + count > _buffer.Length)
        {
            throw new DnsFormatException(DnsFormatError.BufferTooSmall, Position, $"DNS message does not fit in {_buffer.Length} bytes");
        }
    }
}
