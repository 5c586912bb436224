using System.Buffers.Binary;

namespace Netstack.Linux.Netlink.Wire;

/// <summary>Walks the netlink messages in one received datagram.</summary>
internal ref struct NetlinkMessageReader
{
    private ReadOnlySpan<byte> _rest;

    public NetlinkMessageReader(ReadOnlySpan<byte> datagram)
    {
        _rest = datagram;
    }

    public bool TryRead(out NetlinkMessage message)
    {
        if (_rest.Length < Nl.HeaderLength)
        {
            message = default;
            return false;
        }
        var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(_rest);
        if (length < Nl.HeaderLength || length > _rest.Length)
        {
            throw new NetlinkException($"netlink: malformed message of length {length} in a datagram of {_rest.Length} bytes");
        }
        message = new NetlinkMessage(
            BinaryPrimitives.ReadUInt16LittleEndian(_rest[4..]),
            BinaryPrimitives.ReadUInt16LittleEndian(_rest[6..]),
            BinaryPrimitives.ReadUInt32LittleEndian(_rest[8..]),
            BinaryPrimitives.ReadUInt32LittleEndian(_rest[12..]),
            _rest[Nl.HeaderLength..length]);
        var advance = Math.Min(Nl.Align(length), _rest.Length);
        _rest = _rest[advance..];
        return true;
    }
}
