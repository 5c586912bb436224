using System.Buffers.Binary;
using Netstack.Linux.Netfilter.Wire;
using Netstack.Linux.Netlink.Wire;

namespace Netstack.Linux.Netfilter;

/// <summary>The address families of nf_tables tables this layer writes (NFPROTO_*).</summary>
public enum NftFamily : byte
{
    /// <summary>NFPROTO_IPV4: <c>table ip ...</c>.</summary>
    IPv4 = 2,

    /// <summary>NFPROTO_IPV6: <c>table ip6 ...</c>.</summary>
    IPv6 = 10,
}

/// <summary>
/// One nf_tables expression of a rule, as the kernel's NFTA_EXPR_* attributes: the rule's
/// statements compile to a list of these over registers (NFT_REG_1..4, 16 bytes each; register 0
/// is the verdict). Each encodes the same attributes, with the same defaults, that the kernel
/// dumps back, so a rule read back compares equal to the one written.
/// </summary>
public abstract record NftExpression
{
    /// <summary>NFT_REG_VERDICT.</summary>
    public const uint VerdictRegister = 0;

    /// <summary>NFT_REG_1, where matches load what they compare.</summary>
    public const uint Register1 = 1;

    /// <summary>NFT_REG_2, for the second value of a NAT target (the port).</summary>
    public const uint Register2 = 2;

    internal abstract string Name { get; }

    internal abstract void EncodeData(ref NetlinkWriter writer);

    internal void Encode(ref NetlinkWriter writer)
    {
        var element = writer.BeginNested(Nft.NFTA_LIST_ELEM, markNested: true);
        writer.PutString(Nft.NFTA_EXPR_NAME, Name);
        var data = writer.BeginNested(Nft.NFTA_EXPR_DATA, markNested: true);
        EncodeData(ref writer);
        writer.EndNested(data);
        writer.EndNested(element);
    }

    internal static void PutBe32(ref NetlinkWriter writer, ushort type, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        writer.PutBytes(type, bytes);
    }

    internal static void PutValue(ref NetlinkWriter writer, ushort type, ReadOnlySpan<byte> value)
    {
        var nested = writer.BeginNested(type, markNested: true);
        writer.PutBytes(Nft.NFTA_DATA_VALUE, value);
        writer.EndNested(nested);
    }
}

/// <summary>Where a payload load starts (NFT_PAYLOAD_*_HEADER).</summary>
public enum NftPayloadBase : uint
{
    Link = 0,
    Network = 1,
    Transport = 2,
}

/// <summary>Meta keys used here (enum nft_meta_keys).</summary>
public enum NftMetaKey : uint
{
    InputInterfaceName = 6,  // NFT_META_IIFNAME
    OutputInterfaceName = 7, // NFT_META_OIFNAME
    L4Protocol = 16,         // NFT_META_L4PROTO
}

/// <summary>Comparison operators (enum nft_cmp_ops).</summary>
public enum NftCmpOp : uint
{
    Equal = 0,
    NotEqual = 1,
}

/// <summary>Verdicts (NF_DROP, NF_ACCEPT, NFT_JUMP...).</summary>
public enum NftVerdictCode
{
    Drop = 0,
    Accept = 1,
    Jump = -3,
    Goto = -4,
    Return = -5,
}

/// <summary><c>meta KEY</c> into a register: <c>iifname</c>, <c>oifname</c>, <c>meta l4proto</c>.</summary>
public sealed record NftMeta(NftMetaKey Key, uint Register = NftExpression.Register1) : NftExpression
{
    internal override string Name => "meta";

    internal override void EncodeData(ref NetlinkWriter writer)
    {
        PutBe32(ref writer, Nft.NFTA_META_KEY, (uint)Key);
        PutBe32(ref writer, Nft.NFTA_META_DREG, Register);
    }
}

/// <summary>Bytes of a header into a register: <c>ip saddr</c>, <c>tcp dport</c>.</summary>
public sealed record NftPayload(NftPayloadBase Base, uint Offset, uint Length, uint Register = NftExpression.Register1) : NftExpression
{
    internal override string Name => "payload";

    internal override void EncodeData(ref NetlinkWriter writer)
    {
        PutBe32(ref writer, Nft.NFTA_PAYLOAD_DREG, Register);
        PutBe32(ref writer, Nft.NFTA_PAYLOAD_BASE, (uint)Base);
        PutBe32(ref writer, Nft.NFTA_PAYLOAD_OFFSET, Offset);
        PutBe32(ref writer, Nft.NFTA_PAYLOAD_LEN, Length);
    }
}

/// <summary>A register compared with a value; the rule stops here when it does not hold.</summary>
public sealed record NftCmp(NftCmpOp Op, byte[] Value, uint Register = NftExpression.Register1) : NftExpression
{
    internal override string Name => "cmp";

    internal override void EncodeData(ref NetlinkWriter writer)
    {
        PutBe32(ref writer, Nft.NFTA_CMP_SREG, Register);
        PutBe32(ref writer, Nft.NFTA_CMP_OP, (uint)Op);
        PutValue(ref writer, Nft.NFTA_CMP_DATA, Value);
    }

    public bool Equals(NftCmp? other) => other is not null && Op == other.Op && Register == other.Register && Value.AsSpan().SequenceEqual(other.Value);

    public override int GetHashCode() => HashCode.Combine(Op, Register, Value.Length);
}

/// <summary><c>register = (register &amp; mask) ^ xor</c>: a prefix or a set of flag bits.</summary>
public sealed record NftBitwise(byte[] Mask, byte[] Xor, uint Register = NftExpression.Register1) : NftExpression
{
    internal override string Name => "bitwise";

    internal override void EncodeData(ref NetlinkWriter writer)
    {
        PutBe32(ref writer, Nft.NFTA_BITWISE_SREG, Register);
        PutBe32(ref writer, Nft.NFTA_BITWISE_DREG, Register);
        PutBe32(ref writer, Nft.NFTA_BITWISE_LEN, (uint)Mask.Length);
        PutBe32(ref writer, Nft.NFTA_BITWISE_OP, Nft.NFT_BITWISE_BOOL);
        PutValue(ref writer, Nft.NFTA_BITWISE_MASK, Mask);
        PutValue(ref writer, Nft.NFTA_BITWISE_XOR, Xor);
    }

    public bool Equals(NftBitwise? other) => other is not null && Register == other.Register && Mask.AsSpan().SequenceEqual(other.Mask) && Xor.AsSpan().SequenceEqual(other.Xor);

    public override int GetHashCode() => HashCode.Combine(Register, Mask.Length);
}

/// <summary><c>ct state</c> into a register (NFT_CT_STATE, 32 bits in host order).</summary>
public sealed record NftCtState(uint Register = NftExpression.Register1) : NftExpression
{
    /// <summary>NF_CT_STATE_BIT(IP_CT_ESTABLISHED).</summary>
    public const uint Established = 1 << 1;

    /// <summary>NF_CT_STATE_BIT(IP_CT_RELATED).</summary>
    public const uint Related = 1 << 2;

    /// <summary>NF_CT_STATE_BIT(IP_CT_NEW).</summary>
    public const uint New = 1 << 3;

    /// <summary>NF_CT_STATE_INVALID_BIT.</summary>
    public const uint Invalid = 1 << 0;

    internal override string Name => "ct";

    internal override void EncodeData(ref NetlinkWriter writer)
    {
        PutBe32(ref writer, Nft.NFTA_CT_KEY, 0); // NFT_CT_STATE
        PutBe32(ref writer, Nft.NFTA_CT_DREG, Register);
    }
}

/// <summary>
/// <c>fib saddr|daddr type</c>: the route type of the packet's source or destination address
/// (RTN_LOCAL for the host's own addresses), 32 bits in host order; iptables' <c>-m addrtype</c>.
/// </summary>
public sealed record NftFibAddressType(bool Source, uint Register = NftExpression.Register1) : NftExpression
{
    /// <summary>RTN_LOCAL (include/uapi/linux/rtnetlink.h).</summary>
    public const uint Local = 2;

    internal override string Name => "fib";

    internal override void EncodeData(ref NetlinkWriter writer)
    {
        PutBe32(ref writer, Nft.NFTA_FIB_DREG, Register);
        PutBe32(ref writer, Nft.NFTA_FIB_RESULT, 3); // NFT_FIB_RESULT_ADDRTYPE
        PutBe32(ref writer, Nft.NFTA_FIB_FLAGS, Source ? 1u : 2u); // NFTA_FIB_F_SADDR / NFTA_FIB_F_DADDR
    }
}

/// <summary>A verdict: <c>accept</c>, <c>drop</c>, <c>jump CHAIN</c>.</summary>
public sealed record NftVerdict(NftVerdictCode Code, string? Chain = null) : NftExpression
{
    internal override string Name => "immediate";

    internal override void EncodeData(ref NetlinkWriter writer)
    {
        PutBe32(ref writer, Nft.NFTA_IMMEDIATE_DREG, VerdictRegister);
        var data = writer.BeginNested(Nft.NFTA_IMMEDIATE_DATA, markNested: true);
        var verdict = writer.BeginNested(Nft.NFTA_DATA_VERDICT, markNested: true);
        PutBe32(ref writer, Nft.NFTA_VERDICT_CODE, unchecked((uint)(int)Code));
        if (Chain is not null)
        {
            writer.PutString(Nft.NFTA_VERDICT_CHAIN, Chain);
        }
        writer.EndNested(verdict);
        writer.EndNested(data);
    }
}

/// <summary>A constant into a register (the address or port of a NAT target).</summary>
public sealed record NftImmediate(byte[] Value, uint Register) : NftExpression
{
    internal override string Name => "immediate";

    internal override void EncodeData(ref NetlinkWriter writer)
    {
        PutBe32(ref writer, Nft.NFTA_IMMEDIATE_DREG, Register);
        PutValue(ref writer, Nft.NFTA_IMMEDIATE_DATA, Value);
    }

    public bool Equals(NftImmediate? other) => other is not null && Register == other.Register && Value.AsSpan().SequenceEqual(other.Value);

    public override int GetHashCode() => HashCode.Combine(Register, Value.Length);
}

/// <summary>
/// <c>dnat to ADDR:PORT</c> with the address in <see cref="NftExpression.Register1"/> and the port in
/// <see cref="NftExpression.Register2"/>; iptables' <c>-j DNAT --to-destination</c>.
/// </summary>
public sealed record NftDnat(NftFamily Family) : NftExpression
{
    internal override string Name => "nat";

    internal override void EncodeData(ref NetlinkWriter writer)
    {
        PutBe32(ref writer, Nft.NFTA_NAT_TYPE, 1); // NFT_NAT_DNAT
        PutBe32(ref writer, Nft.NFTA_NAT_FAMILY, (uint)Family);
        PutBe32(ref writer, Nft.NFTA_NAT_REG_ADDR_MIN, Register1);
        PutBe32(ref writer, Nft.NFTA_NAT_REG_ADDR_MAX, Register1);
        PutBe32(ref writer, Nft.NFTA_NAT_REG_PROTO_MIN, Register2);
        PutBe32(ref writer, Nft.NFTA_NAT_REG_PROTO_MAX, Register2);
        // NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED: what the kernel sets for these registers anyway.
        PutBe32(ref writer, Nft.NFTA_NAT_FLAGS, 3);
    }
}

/// <summary><c>masquerade</c>: source NAT to the outgoing interface's address.</summary>
public sealed record NftMasquerade : NftExpression
{
    internal override string Name => "masq";

    internal override void EncodeData(ref NetlinkWriter writer)
    {
    }
}

/// <summary><c>dnat to ADDR</c> (the port unchanged), the address in <see cref="NftExpression.Register1"/>.</summary>
public sealed record NftDnatAddressOnly(NftFamily Family) : NftExpression
{
    internal override string Name => "nat";

    internal override void EncodeData(ref NetlinkWriter writer)
    {
        PutBe32(ref writer, Nft.NFTA_NAT_TYPE, 1); // NFT_NAT_DNAT
        PutBe32(ref writer, Nft.NFTA_NAT_FAMILY, (uint)Family);
        PutBe32(ref writer, Nft.NFTA_NAT_REG_ADDR_MIN, Register1);
        PutBe32(ref writer, Nft.NFTA_NAT_REG_ADDR_MAX, Register1);
        PutBe32(ref writer, Nft.NFTA_NAT_FLAGS, 1); // NF_NAT_RANGE_MAP_IPS
    }
}
