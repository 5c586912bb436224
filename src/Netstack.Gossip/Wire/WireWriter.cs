using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Netstack.Gossip.Wire;

/// <summary>A growable big-endian writer for message payloads and stream frames.</summary>
internal sealed class WireWriter
{
    private byte[] _buffer;
    private int _length;

    public WireWriter(int capacity = 256)
    {
        _buffer = new byte[capacity];
    }

    public int Length => _length;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    public void Reset() => _length = 0;

    public byte[] ToArray() => WrittenSpan.ToArray();

    public void WriteByte(byte value) => Grow(1)[0] = value;

    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(Grow(2), value);

    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32BigEndian(Grow(4), value);

    public void WriteUInt64(ulong value) => BinaryPrimitives.WriteUInt64BigEndian(Grow(8), value);

    public void WriteBytes(ReadOnlySpan<byte> value) => value.CopyTo(Grow(value.Length));

    /// <summary>u8 length + UTF-8. Callers validate the 255-byte limit at the API boundary.</summary>
    public void WriteString(string value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        if (count > byte.MaxValue)
        {
            throw new ArgumentException($"'{value}' is {count} bytes of UTF-8; gossip names are at most 255", nameof(value));
        }
        WriteByte((byte)count);
        Encoding.UTF8.GetBytes(value, Grow(count));
    }

    public void WriteBlob(ReadOnlySpan<byte> value)
    {
        if (value.Length > ushort.MaxValue)
        {
            throw new ArgumentException($"blob of {value.Length} bytes exceeds {ushort.MaxValue}", nameof(value));
        }
        WriteUInt16((ushort)value.Length);
        WriteBytes(value);
    }

    public void WriteEndpoint(IPEndPoint endpoint)
    {
        if (endpoint.AddressFamily == AddressFamily.InterNetwork)
        {
            WriteByte(4);
            endpoint.Address.TryWriteBytes(Grow(4), out _);
        }
        else
        {
            WriteByte(6);
            endpoint.Address.TryWriteBytes(Grow(16), out _);
        }
        WriteUInt16((ushort)endpoint.Port);
    }

    /// <summary>Overwrites a u32 written earlier (counts known only after the items).</summary>
    public void PatchUInt32(int at, uint value) => BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(at, 4), value);

    /// <summary>Reserves a message header; <see cref="EndMessage"/> fills in the length.</summary>
    public int BeginMessage(MessageType type)
    {
        WriteByte((byte)type);
        var at = _length;
        WriteUInt16(0);
        return at;
    }

    public void EndMessage(int lengthAt)
    {
        var payload = _length - lengthAt - 2;
        if (payload > ushort.MaxValue)
        {
            throw new InvalidOperationException($"message payload of {payload} bytes exceeds {ushort.MaxValue}");
        }
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(lengthAt, 2), (ushort)payload);
    }

    private Span<byte> Grow(int count)
    {
        if (_length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        }
        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }
}
