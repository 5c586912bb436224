using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Netstack.Gossip.Wire;

/// <summary>
/// A bounds-checked big-endian reader. Every read returns false instead of throwing when the input
/// is short or invalid, so a malformed packet costs a counter increment, never an exception.
/// </summary>
internal ref struct WireReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public WireReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    public readonly int Remaining => _data.Length - _position;

    public readonly bool End => _position >= _data.Length;

    public bool TryReadByte(out byte value)
    {
        if (Remaining < 1)
        {
            value = 0;
            return false;
        }
        value = _data[_position++];
        return true;
    }

    public bool TryReadUInt16(out ushort value)
    {
        if (Remaining < 2)
        {
            value = 0;
            return false;
        }
        value = BinaryPrimitives.ReadUInt16BigEndian(_data.Slice(_position, 2));
        _position += 2;
        return true;
    }

    public bool TryReadUInt32(out uint value)
    {
        if (Remaining < 4)
        {
            value = 0;
            return false;
        }
        value = BinaryPrimitives.ReadUInt32BigEndian(_data.Slice(_position, 4));
        _position += 4;
        return true;
    }

    public bool TryReadUInt64(out ulong value)
    {
        if (Remaining < 8)
        {
            value = 0;
            return false;
        }
        value = BinaryPrimitives.ReadUInt64BigEndian(_data.Slice(_position, 8));
        _position += 8;
        return true;
    }

    public bool TryReadSpan(int count, out ReadOnlySpan<byte> value)
    {
        if (count < 0 || Remaining < count)
        {
            value = default;
            return false;
        }
        value = _data.Slice(_position, count);
        _position += count;
        return true;
    }

    /// <summary>A non-empty u8-length UTF-8 string without control characters.</summary>
    public bool TryReadString(out string value)
    {
        value = string.Empty;
        if (!TryReadByte(out var length) || length == 0 || !TryReadSpan(length, out var bytes))
        {
            return false;
        }
        if (bytes.IndexOfAnyInRange((byte)0, (byte)31) >= 0)
        {
            return false;
        }
        value = StrictUtf8.GetString(bytes);
        return true;
    }

    public bool TryReadBlob(out byte[] value)
    {
        value = [];
        if (!TryReadUInt16(out var length) || !TryReadSpan(length, out var bytes))
        {
            return false;
        }
        value = bytes.ToArray();
        return true;
    }

    public bool TryReadEndpoint(out IPEndPoint value)
    {
        value = null!;
        if (!TryReadByte(out var family))
        {
            return false;
        }
        var size = family switch
        {
            4 => 4,
            6 => 16,
            _ => -1,
        };
        if (size < 0 || !TryReadSpan(size, out var address) || !TryReadUInt16(out var port) || port == 0)
        {
            return false;
        }
        value = new IPEndPoint(new IPAddress(address), port);
        return true;
    }
}
