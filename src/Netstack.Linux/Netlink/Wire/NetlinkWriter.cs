using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Netstack.Linux.Netlink.Wire;

/// <summary>
/// Writes netlink messages (nlmsghdr + family header + attributes) into a caller's buffer. Several
/// messages may follow each other in one buffer, which is how requests are pipelined into a single
/// send. Lengths are patched when a message or a nested attribute ends; padding is zeroed.
/// </summary>
internal ref struct NetlinkWriter
{
    private readonly Span<byte> _buffer;
    private int _position;
    private int _messageStart;

    public NetlinkWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
        _messageStart = -1;
    }

    public readonly int Length => _position;

    public readonly int Remaining => _buffer.Length - _position;

    public readonly ReadOnlySpan<byte> Written => _buffer[.._position];

    /// <summary>Starts a message; the port id is left 0 so the kernel fills in ours.</summary>
    public void BeginMessage(ushort type, ushort flags, uint sequence)
    {
        if (_messageStart >= 0)
        {
            throw new InvalidOperationException("netlink writer: previous message not ended");
        }
        _messageStart = _position;
        var header = Reserve(Nl.HeaderLength);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], type);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], flags);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], sequence);
    }

    public void EndMessage()
    {
        if (_messageStart < 0)
        {
            throw new InvalidOperationException("netlink writer: no message begun");
        }
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer[_messageStart..], (uint)(_position - _messageStart));
        _messageStart = -1;
    }

    /// <summary>Reserves <paramref name="length"/> zeroed bytes (a family header), padded to 4.</summary>
    public Span<byte> Reserve(int length)
    {
        var aligned = Nl.Align(length);
        if (aligned > Remaining)
        {
            throw new InvalidOperationException($"netlink writer: buffer of {_buffer.Length} bytes is full");
        }
        var span = _buffer.Slice(_position, aligned);
        span.Clear();
        _position += aligned;
        return span[..length];
    }

    public void PutBytes(ushort type, scoped ReadOnlySpan<byte> value)
    {
        var span = PutHeader(type, value.Length);
        value.CopyTo(span);
    }

    public void PutFlag(ushort type) => PutHeader(type, 0);

    public void PutU8(ushort type, byte value) => PutHeader(type, 1)[0] = value;

    public void PutU16(ushort type, ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(PutHeader(type, 2), value);

    /// <summary>A 16-bit value in network byte order (ports, VLAN protocol).</summary>
    public void PutBe16(ushort type, ushort value) => BinaryPrimitives.WriteUInt16BigEndian(PutHeader(type, 2), value);

    public void PutU32(ushort type, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(PutHeader(type, 4), value);

    public void PutS32(ushort type, int value) => BinaryPrimitives.WriteInt32LittleEndian(PutHeader(type, 4), value);

    /// <summary>A NUL-terminated string, as the kernel's NLA_STRING / NLA_NUL_STRING expect.</summary>
    public void PutString(ushort type, string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        var span = PutHeader(type, length + 1);
        Encoding.UTF8.GetBytes(value, span);
        span[length] = 0;
    }

    public void PutAddress(ushort type, IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        PutBytes(type, bytes[..written]);
    }

    /// <summary>Starts a nested attribute; pass the result to <see cref="EndNested"/>.</summary>
    public int BeginNested(ushort type, bool markNested = false)
    {
        var start = _position;
        PutHeader(markNested ? (ushort)(type | Nl.NLA_F_NESTED) : type, 0);
        return start;
    }

    public readonly void EndNested(int start) =>
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer[start..], (ushort)(_position - start));

    private Span<byte> PutHeader(ushort type, int payloadLength)
    {
        var total = Nl.AttributeHeaderLength + payloadLength;
        var span = Reserve(total);
        BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)total);
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], type);
        return span[Nl.AttributeHeaderLength..];
    }
}
