using System.Buffers.Binary;
using Netstack.Linux.Netlink.Wire;
using Xunit;

namespace Netstack.Linux.Tests.Wire;

/// <summary>IFLA_STATS64 in an RTM_NEWLINK reply, as the kernel lays out struct rtnl_link_stats64.</summary>
public sealed class LinkStatisticsTests
{
    private static byte[] Reply(int statsLength)
    {
        // ifinfomsg (16 bytes), IFLA_IFNAME "eth0\0" (8 + pad to 12), IFLA_STATS64 (4 + statsLength).
        var bytes = new byte[16 + 12 + 4 + statsLength];
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), 7);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(16), 9);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(18), Ifla.IFNAME);
        "eth0"u8.CopyTo(bytes.AsSpan(20));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(28), (ushort)(4 + statsLength));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(30), Ifla.STATS64);
        for (var i = 0; i < statsLength / 8; i++)
        {
            // Counter i holds 1000 + i, so each field is seen to come from its own slot.
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(32 + (i * 8)), 1000UL + (ulong)i);
        }
        return bytes;
    }

    [Fact]
    public void Parse_Stats64_GivesEachCounterFromItsSlot()
    {
        // 24 counters: the kernel's rtnl_link_stats64 up to rx_nohandler (more fields may follow).
        var link = LinkCodec.Parse(Reply(24 * 8));
        Assert.Equal("eth0", link.Name);
        Assert.Equal(new LinkStatistics(RxPackets: 1000, TxPackets: 1001, RxBytes: 1002, TxBytes: 1003,
            RxErrors: 1004, TxErrors: 1005, RxDropped: 1006, TxDropped: 1007), link.Statistics);
    }

    [Fact]
    public void Parse_ShortStats64_IsNoStatistics_NotAnError()
    {
        Assert.Null(LinkCodec.Parse(Reply(7 * 8)).Statistics);
        Assert.Null(LinkCodec.Parse(Reply(0)).Statistics);
    }
}
