using System.Globalization;

namespace Netstack.Dns.Wire;

/// <summary>
/// Domain names between wire form (length-prefixed labels, RFC 1035 3.1) and text form (dotted,
/// master-file escapes of RFC 1035 5.1: <c>\.</c>, <c>\\</c> and <c>\DDD</c> for bytes outside
/// printable ASCII). Text names carry no trailing dot; the root is the empty string.
/// </summary>
public static class DnsName
{
    /// <summary>RFC 1035 2.3.4: a label is at most 63 bytes (the top two bits of its length byte mark pointers).</summary>
    public const int MaxLabelLength = 63;

    /// <summary>RFC 1035 2.3.4: a name is at most 255 bytes in wire form, length bytes and the root's zero included.</summary>
    public const int MaxWireLength = 255;

    // Worst case text: 255 wire bytes, each escaped as \DDD (4 chars).
    private const int MaxTextLength = MaxWireLength * 4;

    /// <summary>
    /// Reads a possibly compressed name at <paramref name="offset"/> and moves it past the name's
    /// bytes at that place (a pointer counts 2 bytes). Every pointer must point before the start of
    /// the label run that contains it, so each jump goes strictly backwards and loops cannot exist.
    /// </summary>
    public static string Read(ReadOnlySpan<byte> message, ref int offset, string field = "name") =>
        Read(message, ref offset, new DnsField(field));

    internal static string Read(ReadOnlySpan<byte> message, ref int offset, DnsField field)
    {
        Span<char> text = stackalloc char[MaxTextLength];
        var length = 0;
        var position = offset;
        var runStart = offset;
        var jumped = false;
        var wireLength = 0;

        while (true)
        {
            if (position >= message.Length)
            {
                throw new DnsFormatException(DnsFormatError.PastEnd, position, $"{field} runs past the end of the {message.Length}-byte message");
            }

            var labelLength = message[position];
            if ((labelLength & 0xC0) == 0xC0)
            {
                if (position + 1 >= message.Length)
                {
                    throw new DnsFormatException(DnsFormatError.PastEnd, position, $"{field}: compression pointer cut off by the end of the message");
                }

                var target = ((labelLength & 0x3F) << 8) | message[position + 1];
                if (target < DnsHeader.Size && runStart >= DnsHeader.Size)
                {
                    throw new DnsFormatException(DnsFormatError.BadPointer, position, $"{field}: compression pointer to byte {target} points into the 12-byte header");
                }

                if (target >= runStart)
                {
                    throw new DnsFormatException(DnsFormatError.BadPointer, position, $"{field}: compression pointer to byte {target} does not point before byte {runStart}");
                }

                if (!jumped)
                {
                    offset = position + 2;
                    jumped = true;
                }

                position = target;
                runStart = target;
                continue;
            }

            if ((labelLength & 0xC0) != 0)
            {
                throw new DnsFormatException(DnsFormatError.BadLabel, position, $"{field}: label type 0x{labelLength & 0xC0:x2} is reserved (length byte 0x{labelLength:x2})");
            }

            if (labelLength == 0)
            {
                if (!jumped)
                {
                    offset = position + 1;
                }

                return length == 0 ? string.Empty : new string(text[..length]);
            }

            wireLength += 1 + labelLength;
            if (wireLength + 1 > MaxWireLength)
            {
                throw new DnsFormatException(DnsFormatError.NameTooLong, position, $"{field} is longer than {MaxWireLength} bytes");
            }

            if (position + 1 + labelLength > message.Length)
            {
                throw new DnsFormatException(DnsFormatError.PastEnd, position, $"{field}: label of {labelLength} bytes runs past the end of the {message.Length}-byte message");
            }

            if (length > 0)
            {
                text[length++] = '.';
            }

            length += AppendEscaped(message.Slice(position + 1, labelLength), text[length..]);
            position += 1 + labelLength;
        }
    }

    /// <summary>
    /// Encodes a text name into uncompressed wire form. Returns the number of bytes written.
    /// Throws <see cref="DnsFormatException"/> naming <paramref name="field"/> when the name is not valid.
    /// </summary>
    public static int Encode(string name, Span<byte> destination, string field = "name")
    {
        ArgumentNullException.ThrowIfNull(name);
        Span<byte> wire = stackalloc byte[MaxWireLength];
        var written = EncodeCore(name, wire, field);
        if (written > destination.Length)
        {
            throw new DnsFormatException(DnsFormatError.BufferTooSmall, -1, $"{field} '{name}' needs {written} bytes, {destination.Length} left");
        }

        wire[..written].CopyTo(destination);
        return written;
    }

    /// <summary>Returns the wire-form length of a text name (validating it).</summary>
    public static int WireLength(string name, string field = "name")
    {
        Span<byte> wire = stackalloc byte[MaxWireLength];
        return EncodeCore(name, wire, field);
    }

    /// <summary>
    /// Splits a text name into the start indexes (in the text) of its labels, for suffix compression.
    /// </summary>
    internal static int LabelStarts(string name, Span<int> starts)
    {
        var text = TrimRootDot(name);
        if (text.Length == 0)
        {
            return 0;
        }

        var count = 0;
        starts[count++] = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
                continue;
            }

            if (text[i] == '.' && i + 1 < text.Length)
            {
                starts[count++] = i + 1;
            }
        }

        return count;
    }

    /// <summary>Lower-cases ASCII letters only: DNS compares names case-insensitively in ASCII (RFC 4343).</summary>
    public static string ToLowerAscii(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var index = name.AsSpan().IndexOfAnyInRange('A', 'Z');
        if (index < 0)
        {
            return name;
        }

        return string.Create(name.Length, name, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                span[i] = c is >= 'A' and <= 'Z' ? (char)(c + 32) : c;
            }
        });
    }

    /// <summary>Drops one trailing dot (the root) unless it is escaped.</summary>
    public static string TrimRootDot(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || name[^1] != '.')
        {
            return name;
        }

        // "a\." is the label 'a' then the root; "a\." is the label 'a.'.
        var backslashes = 0;
        for (var i = name.Length - 2; i >= 0 && name[i] == '\\'; i--)
        {
            backslashes++;
        }

        return backslashes % 2 == 0 ? name[..^1] : name;
    }

    private static int AppendEscaped(ReadOnlySpan<byte> label, Span<char> destination)
    {
        var n = 0;
        foreach (var b in label)
        {
            if (b is (byte)'.' or (byte)'\\')
            {
                destination[n++] = '\\';
                destination[n++] = (char)b;
            }
            else if (b is < 0x21 or > 0x7E)
            {
                destination[n++] = '\\';
                destination[n++] = (char)('0' + (b / 100));
                destination[n++] = (char)('0' + (b / 10 % 10));
                destination[n++] = (char)('0' + (b % 10));
            }
            else
            {
                destination[n++] = (char)b;
            }
        }

        return n;
    }

    private static int EncodeCore(string name, Span<byte> wire, string field)
    {
        var text = TrimRootDot(name);
        if (text.Length == 0)
        {
            wire[0] = 0;
            return 1;
        }

        var position = 0;
        var labelStart = 0;
        var i = 0;
        while (true)
        {
            // Reserve the length byte of the current label.
            if (labelStart >= MaxWireLength - 1)
            {
                throw new DnsFormatException(DnsFormatError.NameTooLong, -1, $"{field} '{name}' is longer than {MaxWireLength} bytes in wire form");
            }

            position = labelStart + 1;
            while (i < text.Length && text[i] != '.')
            {
                byte value;
                if (text[i] == '\\')
                {
                    if (i + 1 >= text.Length)
                    {
                        throw new DnsFormatException(DnsFormatError.BadNameText, -1, $"{field} '{name}' ends in a lone backslash");
                    }

                    if (char.IsAsciiDigit(text[i + 1]))
                    {
                        if (i + 3 >= text.Length)
                        {
                            throw new DnsFormatException(DnsFormatError.BadNameText, -1, $"{field} '{name}' has a cut-off \\DDD escape");
                        }

                        if (!int.TryParse(text.AsSpan(i + 1, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var code) || code > 255)
                        {
                            throw new DnsFormatException(DnsFormatError.BadNameText, -1, $"{field} '{name}' has a bad \\DDD escape '{text.Substring(i, Math.Min(4, text.Length - i))}'");
                        }

                        value = (byte)code;
                        i += 4;
                    }
                    else
                    {
                        value = text[i + 1] <= 0x7F ? (byte)text[i + 1] : throw NonAscii(name, field);
                        i += 2;
                    }
                }
                else
                {
                    value = text[i] <= 0x7F ? (byte)text[i] : throw NonAscii(name, field);
                    i++;
                }

                if (position - labelStart - 1 >= MaxLabelLength)
                {
                    throw new DnsFormatException(DnsFormatError.BadLabel, -1, $"{field} '{name}' has a label longer than {MaxLabelLength} bytes");
                }

                if (position >= MaxWireLength - 1)
                {
                    throw new DnsFormatException(DnsFormatError.NameTooLong, -1, $"{field} '{name}' is longer than {MaxWireLength} bytes in wire form");
                }

                wire[position++] = value;
            }

            var labelLength = position - labelStart - 1;
            if (labelLength == 0)
            {
                throw new DnsFormatException(DnsFormatError.BadNameText, -1, $"{field} '{name}' has an empty label");
            }

            wire[labelStart] = (byte)labelLength;
            labelStart = position;
            if (i >= text.Length)
            {
                break;
            }

            i++; // the dot
            if (i >= text.Length)
            {
                throw new DnsFormatException(DnsFormatError.BadNameText, -1, $"{field} '{name}' has an empty label");
            }
        }

        wire[position++] = 0;
        return position;
    }

    private static DnsFormatException NonAscii(string name, string field) =>
        new(DnsFormatError.BadNameText, -1, $"{field} '{name}' has a non-ASCII character; use \\DDD escapes or punycode");
}
