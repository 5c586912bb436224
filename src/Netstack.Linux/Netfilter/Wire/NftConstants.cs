namespace Netstack.Linux.Netfilter.Wire;

/// <summary>
/// Numbers of include/uapi/linux/netfilter/nfnetlink.h and nf_tables.h: nfnetlink subsystems and
/// batches, nf_tables messages and their attributes, expression attributes.
/// </summary>
#pragma warning disable CA1707 // the kernel's names, so they can be grepped for
internal static class Nft
{
    // struct nfgenmsg: family u8, version u8, res_id be16.
    internal const int GenMessageLength = 4;
    internal const byte NFNETLINK_V0 = 0;

    internal const byte NFNL_SUBSYS_NFTABLES = 10;
    internal const ushort NFNL_MSG_BATCH_BEGIN = 16; // NLMSG_MIN_TYPE
    internal const ushort NFNL_MSG_BATCH_END = 17;

    internal const ushort NFT_MSG_NEWTABLE = 0;
    internal const ushort NFT_MSG_GETTABLE = 1;
    internal const ushort NFT_MSG_DELTABLE = 2;
    internal const ushort NFT_MSG_NEWCHAIN = 3;
    internal const ushort NFT_MSG_GETCHAIN = 4;
    internal const ushort NFT_MSG_DELCHAIN = 5;
    internal const ushort NFT_MSG_NEWRULE = 6;
    internal const ushort NFT_MSG_GETRULE = 7;
    internal const ushort NFT_MSG_DELRULE = 8;

    internal static ushort Type(ushort message) => (ushort)((NFNL_SUBSYS_NFTABLES << 8) | message);

    internal const ushort NFTA_TABLE_NAME = 1;

    internal const ushort NFTA_CHAIN_TABLE = 1;
    internal const ushort NFTA_CHAIN_NAME = 3;
    internal const ushort NFTA_CHAIN_HOOK = 4;
    internal const ushort NFTA_CHAIN_POLICY = 5;
    internal const ushort NFTA_CHAIN_TYPE = 7;

    internal const ushort NFTA_HOOK_HOOKNUM = 1;
    internal const ushort NFTA_HOOK_PRIORITY = 2;

    internal const ushort NFTA_RULE_TABLE = 1;
    internal const ushort NFTA_RULE_CHAIN = 2;
    internal const ushort NFTA_RULE_HANDLE = 3;
    internal const ushort NFTA_RULE_EXPRESSIONS = 4;
    internal const ushort NFTA_RULE_USERDATA = 7;

    internal const ushort NFTA_LIST_ELEM = 1;
    internal const ushort NFTA_EXPR_NAME = 1;
    internal const ushort NFTA_EXPR_DATA = 2;

    internal const ushort NFTA_DATA_VALUE = 1;
    internal const ushort NFTA_DATA_VERDICT = 2;
    internal const ushort NFTA_VERDICT_CODE = 1;
    internal const ushort NFTA_VERDICT_CHAIN = 2;

    internal const ushort NFTA_IMMEDIATE_DREG = 1;
    internal const ushort NFTA_IMMEDIATE_DATA = 2;

    internal const ushort NFTA_CMP_SREG = 1;
    internal const ushort NFTA_CMP_OP = 2;
    internal const ushort NFTA_CMP_DATA = 3;

    internal const ushort NFTA_PAYLOAD_DREG = 1;
    internal const ushort NFTA_PAYLOAD_BASE = 2;
    internal const ushort NFTA_PAYLOAD_OFFSET = 3;
    internal const ushort NFTA_PAYLOAD_LEN = 4;

    internal const ushort NFTA_META_DREG = 1;
    internal const ushort NFTA_META_KEY = 2;

    internal const ushort NFTA_BITWISE_SREG = 1;
    internal const ushort NFTA_BITWISE_DREG = 2;
    internal const ushort NFTA_BITWISE_LEN = 3;
    internal const ushort NFTA_BITWISE_MASK = 4;
    internal const ushort NFTA_BITWISE_XOR = 5;
    internal const ushort NFTA_BITWISE_OP = 6;
    internal const uint NFT_BITWISE_BOOL = 0; // mask-and-xor

    internal const ushort NFTA_CT_DREG = 1;
    internal const ushort NFTA_CT_KEY = 2;

    internal const ushort NFTA_NAT_TYPE = 1;
    internal const ushort NFTA_NAT_FAMILY = 2;
    internal const ushort NFTA_NAT_REG_ADDR_MIN = 3;
    internal const ushort NFTA_NAT_REG_ADDR_MAX = 4;
    internal const ushort NFTA_NAT_REG_PROTO_MIN = 5;
    internal const ushort NFTA_NAT_REG_PROTO_MAX = 6;
    internal const ushort NFTA_NAT_FLAGS = 7;

    internal const ushort NFTA_FIB_DREG = 1;
    internal const ushort NFTA_FIB_RESULT = 2;
    internal const ushort NFTA_FIB_FLAGS = 3;

    // Userdata TLVs (libnftnl's NFTNL_UDATA_RULE_COMMENT): type u8, length u8, NUL-terminated text.
    internal const byte UDATA_RULE_COMMENT = 0;
}
