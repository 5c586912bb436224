using System.Net;
using Netstack.Linux.Netlink.Wire;
using Xunit;

namespace Netstack.Linux.Tests.Wire;

public sealed class ReaderTests
{
    [Fact]
    public void ErrorMessage_WithExtendedAck_YieldsErrnoAndKernelText()
    {
        // NLMSG_ERROR, flags NLM_F_CAPPED|NLM_F_ACK_TLVS: error -17, the request's header, then
        // NLMSGERR_ATTR_MSG "exists". Built the way netlink_ack() lays it out.
        var hex =
            "30000000" + "0200" + "0003" + "05000000" + "99000000" + // nlmsghdr (len 48)
            "efffffff" +                                              // error = -EEXIST
            "20000000100005060500000000000000" +                      // echoed request header
            "0b000100" + "6578697374730000";                          // MSG attribute "exists\0" + pad
        var bytes = Convert.FromHexString(hex);
        var reader = new NetlinkMessageReader(bytes);
        Assert.True(reader.TryRead(out var message));
        Assert.Equal(Nl.NLMSG_ERROR, message.Type);
        Assert.Equal(5u, message.Sequence);
        Assert.Equal(-17, message.ErrorCode);
        Assert.Equal("exists", message.ExtendedAckMessage());
        Assert.False(reader.TryRead(out _));
    }

    [Fact]
    public void MessageReader_TruncatedLength_Throws()
    {
        var bytes = Convert.FromHexString("40000000020000000100000000000000");
        var thrown = Assert.Throws<NetlinkException>(() =>
        {
            var reader = new NetlinkMessageReader(bytes);
            reader.TryRead(out _);
        });
        Assert.Contains("malformed", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AttributeReader_StopsAtBadLength_WithoutThrowing()
    {
        var bytes = Convert.FromHexString("08000100010000000300020000");
        var reader = new AttributeReader(bytes);
        Assert.True(reader.TryRead(out var type, out var value));
        Assert.Equal(1, type);
        Assert.Equal(1u, AttributeValue.U32(value));
        Assert.False(reader.TryRead(out _, out _));
    }

    [Fact]
    public void RouteParse_DefaultRoute_HasZeroPrefixAndGateway()
    {
        var buffer = new byte[256];
        var writer = new NetlinkWriter(buffer);
        RouteCodec.Write(ref writer, 1, Nl.RTM_NEWROUTE, 0, RouteSpec.DefaultVia(IPAddress.Parse("10.0.0.1")), 3);
        var reader = new NetlinkMessageReader(writer.Written);
        Assert.True(reader.TryRead(out var message));
        var route = RouteCodec.Parse(message.Payload);
        Assert.True(route.IsDefault);
        Assert.Equal(IPAddress.Parse("10.0.0.1"), route.Gateway);
        Assert.Equal(3, route.OutputIndex);
        Assert.Equal(254u, route.Table);
    }

    [Fact]
    public void RouteWrite_TableAbove255_GoesInRtaTable()
    {
        var buffer = new byte[256];
        var writer = new NetlinkWriter(buffer);
        var spec = new RouteSpec { Destination = IPNetwork.Parse("10.0.0.0/8"), Device = 2, Table = 1000 };
        RouteCodec.Write(ref writer, 1, Nl.RTM_NEWROUTE, 0, spec, 2);
        var reader = new NetlinkMessageReader(writer.Written);
        Assert.True(reader.TryRead(out var message));
        Assert.Equal(0, message.Payload[4]);
        Assert.Equal(1000u, RouteCodec.Parse(message.Payload).Table);
    }

    [Fact]
    public void Writer_BufferFull_ThrowsInsteadOfOverrunning()
    {
        var thrown = Assert.Throws<InvalidOperationException>(() =>
        {
            var writer = new NetlinkWriter(new byte[20]);
            writer.BeginMessage(Nl.RTM_NEWLINK, 0, 1);
            writer.PutString(Ifla.IFNAME, "a-long-name");
        });
        Assert.Contains("full", thrown.Message, StringComparison.Ordinal);
    }
}
