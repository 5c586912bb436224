using System.Buffers.Binary;

namespace Netstack.Linux.Netlink.Wire;

/// <summary>Walks a run of rtattr/nlattr; types are returned without the NESTED/BYTEORDER bits.</summary>
internal ref struct AttributeReader
{
    private ReadOnlySpan<byte> _rest;

    public AttributeReader(ReadOnlySpan<byte> attributes)
    {
        _rest = attributes;
    }

    public bool TryRead(out ushort type, out ReadOnlySpan<byte> value)
    {
        while (_rest.Length >= Nl.AttributeHeaderLength)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(_rest);
            if (length < Nl.AttributeHeaderLength || length > _rest.Length)
            {
                break;
            }
            type = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(_rest[2..]) & Nl.NLA_TYPE_MASK);
            value = _rest[Nl.AttributeHeaderLength..length];
            _rest = _rest[Math.Min(Nl.Align(length), _rest.Length)..];
            return true;
        }
        _rest = default;
        type = 0;
        value = default;
        return false;
    }
}
