using System.Net;
using System.Net.Sockets;
using System.Text;
using Netstack.Dns.Wire;

namespace Netstack.Daemon.Dns;

/// <summary>
/// What a node tells the cluster about one of its endpoints on a global network, so every other
/// node's embedded DNS can answer for it: the container (sandbox) name, its <c>--alias</c> names, all
/// its DNS names (name, aliases, short container id) and its addresses. Gossiped in the network's
/// <c>endpoint_table</c> (Docker's name for it), keyed by endpoint id.
/// </summary>
/// <remarks>
/// Wire form, all lengths and counts one byte (DNS names are at most 253 characters, and an endpoint
/// with more than 255 names is refused):
/// <code>
/// version (1) | name | alias count | alias... | DNS name count | DNS name... | IPv4 length (0|4) | IPv4 | IPv6 length (0|16) | IPv6
/// string = length (0..255) | UTF-8 bytes
/// </code>
/// A later version must begin with these fields and append its own after them, so an older node
/// reads what it knows. Version 1 itself allows nothing after its fields: a value that is not
/// exactly a version-1 record is garbage.
/// </remarks>
internal sealed record EndpointTableRecord(string Name, IReadOnlyList<string> Aliases, IReadOnlyList<string> DnsNames, IPAddress? IPv4, IPAddress? IPv6)
{
    /// <summary>The version this node writes.</summary>
    public const byte Version = 1;

    /// <summary>Docker's table name for the names and addresses of a network's endpoints.</summary>
    public const string Table = "endpoint_table";

    /// <summary>Every name the endpoint answers to, lower-case (RFC 4343: DNS names are case-insensitive), each once.</summary>
    public IReadOnlyList<string> AllNames() =>
        [.. new[] { Name }.Concat(Aliases).Concat(DnsNames)
            .Where(n => n.Length > 0)
            .Select(DnsName.ToLowerAscii)
            .Distinct(StringComparer.Ordinal)];

    /// <summary>The addresses the names resolve to (IPv4 first).</summary>
    public IReadOnlyList<IPAddress> Addresses() => new[] { IPv4, IPv6 }.OfType<IPAddress>().ToArray();

    public byte[] Encode()
    {
        var size = 1 + StringSize(Name) + ListSize(Aliases, nameof(Aliases)) + ListSize(DnsNames, nameof(DnsNames)) + 1 + 4 + 1 + 16;
        var buffer = new byte[size];
        var position = 0;
        buffer[position++] = Version;
        WriteString(buffer, ref position, Name);
        WriteList(buffer, ref position, Aliases);
        WriteList(buffer, ref position, DnsNames);
        WriteAddress(buffer, ref position, IPv4, AddressFamily.InterNetwork, nameof(IPv4));
        WriteAddress(buffer, ref position, IPv6, AddressFamily.InterNetworkV6, nameof(IPv6));
        return buffer[..position];
    }

    /// <summary>
    /// Reads a record a peer wrote. Anything off (unknown version 0, cut short, bad UTF-8, a name
    /// that is no DNS name, an address of the wrong length, bytes left over in version 1) is a
    /// <see cref="FormatException"/> saying what and where.
    /// </summary>
    public static EndpointTableRecord Decode(ReadOnlySpan<byte> value)
    {
        var reader = new Reader(value);
        var version = reader.Byte("version");
        if (version == 0)
        {
            throw new FormatException("endpoint record: version 0 is not a version");
        }
        var name = reader.String("name");
        var aliases = reader.List("alias");
        var dnsNames = reader.List("DNS name");
        var v4 = reader.Address("IPv4", 4);
        var v6 = reader.Address("IPv6", 16);
        if (version == Version && !reader.AtEnd)
        {
            throw new FormatException($"endpoint record: {reader.Remaining} bytes after the last field of a version-{Version} record");
        }
        var record = new EndpointTableRecord(name, aliases, dnsNames, v4, v6);
        foreach (var n in record.AllNames())
        {
            DnsName.WireLength(n, "endpoint record name");
        }
        return record;
    }

    private static int StringSize(string text)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        if (length > byte.MaxValue)
        {
            throw new ArgumentException($"endpoint record: name '{text}' is longer than {byte.MaxValue} bytes", nameof(text));
        }
        return 1 + length;
    }

    private static int ListSize(IReadOnlyList<string> list, string field)
    {
        if (list.Count > byte.MaxValue)
        {
            throw new ArgumentException($"endpoint record: {list.Count} {field}, at most {byte.MaxValue}", field);
        }
        return 1 + list.Sum(StringSize);
    }

    private static void WriteString(byte[] buffer, ref int position, string text)
    {
        var length = Encoding.UTF8.GetBytes(text, buffer.AsSpan(position + 1));
        buffer[position] = (byte)length;
        position += 1 + length;
    }

    private static void WriteList(byte[] buffer, ref int position, IReadOnlyList<string> list)
    {
        buffer[position++] = (byte)list.Count;
        foreach (var item in list)
        {
            WriteString(buffer, ref position, item);
        }
    }

    private static void WriteAddress(byte[] buffer, ref int position, IPAddress? address, AddressFamily family, string field)
    {
        if (address is null)
        {
            buffer[position++] = 0;
            return;
        }
        if (address.AddressFamily != family)
        {
            throw new ArgumentException($"endpoint record: {field} address {address} is of family {address.AddressFamily}", field);
        }
        address.TryWriteBytes(buffer.AsSpan(position + 1), out var written);
        buffer[position] = (byte)written;
        position += 1 + written;
    }

    private ref struct Reader(ReadOnlySpan<byte> value)
    {
        private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        private readonly ReadOnlySpan<byte> _value = value;
        private int _position;

        public readonly bool AtEnd => _position == _value.Length;

        public readonly int Remaining => _value.Length - _position;

        public byte Byte(string field)
        {
            if (_position >= _value.Length)
            {
                throw new FormatException($"endpoint record: {field} at byte {_position} is past the end of the {_value.Length}-byte value");
            }
            return _value[_position++];
        }

        public string String(string field)
        {
            var length = Byte(field + " length");
            var bytes = Take(field, length);
            try
            {
                return StrictUtf8.GetString(bytes);
            }
            catch (DecoderFallbackException e)
            {
                throw new FormatException($"endpoint record: {field} at byte {_position - length} is not UTF-8", e);
            }
        }

        public IReadOnlyList<string> List(string field)
        {
            var count = Byte(field + " count");
            var items = new string[count];
            for (var i = 0; i < count; i++)
            {
                items[i] = String(field);
                if (items[i].Length == 0)
                {
                    throw new FormatException($"endpoint record: {field} {i} is empty");
                }
            }
            return items;
        }

        public IPAddress? Address(string field, int size)
        {
            var length = Byte(field + " length");
            if (length == 0)
            {
                return null;
            }
            if (length != size)
            {
                throw new FormatException($"endpoint record: {field} address of {length} bytes, expected 0 or {size}");
            }
            return new IPAddress(Take(field, length));
        }

        private ReadOnlySpan<byte> Take(string field, int length)
        {
            if (length > _value.Length - _position)
            {
                throw new FormatException($"endpoint record: {field} of {length} bytes at byte {_position} runs past the end of the {_value.Length}-byte value");
            }
            var slice = _value.Slice(_position, length);
            _position += length;
            return slice;
        }
    }
}
