using System.Buffers.Binary;
using System.Net;

namespace Netstack.Dns.Wire;

/// <summary>
/// Decodes RDATA by type. Names inside RDATA may be compressed against the whole message, so the
/// reader gets the message and the RDATA's place in it; each decoder must end exactly at RDLENGTH.
/// </summary>
internal static class DnsRecordDataReader
{
    public static DnsRecordData Read(ReadOnlySpan<byte> message, int start, int length, DnsRecordType type, string owner)
    {
        var end = start + length;
        var position = start;
        DnsRecordData data;
        switch (type)
        {
            case DnsRecordType.A:
            case DnsRecordType.AAAA:
                var size = type == DnsRecordType.A ? 4 : 16;
                if (length != size)
                {
                    throw Bad(start, $"{type} record '{owner}' has RDLENGTH {length}; it must be {size}");
                }

                return new DnsAddressData(new IPAddress(message.Slice(start, size)));
            case DnsRecordType.CNAME:
            case DnsRecordType.PTR:
            case DnsRecordType.NS:
                data = new DnsNameData(ReadName(message, ref position, end, $"{type} record data"));
                break;
            case DnsRecordType.MX:
                Need(2, position, end, type, owner);
                var preference = BinaryPrimitives.ReadUInt16BigEndian(message[position..]);
                position += 2;
                data = new DnsMxData(preference, ReadName(message, ref position, end, "MX exchange"));
                break;
            case DnsRecordType.SRV:
                Need(6, position, end, type, owner);
                var priority = BinaryPrimitives.ReadUInt16BigEndian(message[position..]);
                var weight = BinaryPrimitives.ReadUInt16BigEndian(message[(position + 2)..]);
                var port = BinaryPrimitives.ReadUInt16BigEndian(message[(position + 4)..]);
                position += 6;
                data = new DnsSrvData(priority, weight, port, ReadName(message, ref position, end, "SRV target"));
                break;
            case DnsRecordType.TXT:
                if (length == 0)
                {
                    throw Bad(start, $"TXT record '{owner}' has no character-string (RDLENGTH 0)");
                }

                var strings = new List<byte[]>();
                while (position < end)
                {
                    var stringLength = message[position];
                    if (position + 1 + stringLength > end)
                    {
                        throw Bad(position, $"TXT record '{owner}': string of {stringLength} bytes runs past RDLENGTH {length}");
                    }

                    strings.Add(message.Slice(position + 1, stringLength).ToArray());
                    position += 1 + stringLength;
                }

                data = new DnsTxtData(strings);
                break;
            case DnsRecordType.SOA:
                var mname = ReadName(message, ref position, end, "SOA mname");
                var rname = ReadName(message, ref position, end, "SOA rname");
                Need(20, position, end, type, owner);
                var numbers = message.Slice(position, 20);
                data = new DnsSoaData(
                    mname,
                    rname,
                    BinaryPrimitives.ReadUInt32BigEndian(numbers),
                    BinaryPrimitives.ReadUInt32BigEndian(numbers[4..]),
                    BinaryPrimitives.ReadUInt32BigEndian(numbers[8..]),
                    BinaryPrimitives.ReadUInt32BigEndian(numbers[12..]),
                    BinaryPrimitives.ReadUInt32BigEndian(numbers[16..]));
                position += 20;
                break;
            default:
                return new DnsRawData(message.Slice(start, length).ToArray());
        }

        if (position != end)
        {
            throw Bad(position, $"{type} record '{owner}' data ends at byte {position}, but RDLENGTH {length} says {end}");
        }

        return data;
    }

    private static string ReadName(ReadOnlySpan<byte> message, ref int position, int end, string field)
    {
        // The name's own bytes (before any pointer) must stay inside RDATA; pointers may reach back anywhere earlier.
        var name = DnsName.Read(message[..end], ref position, field);
        return name;
    }

    private static void Need(int count, int position, int end, DnsRecordType type, string owner)
    {
        if (position + count > end)
        {
            throw Bad(position, $"{type} record '{owner}' data is shorter than its fixed {count}-byte fields");
        }
    }

    private static DnsFormatException Bad(int offset, string message) => new(DnsFormatError.BadRecordData, offset, message);
}
