using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using Netstack.Linux.Netlink.Wire;
using Xunit;

namespace Netstack.Linux.Tests.Wire;

public sealed class EventDecodeTests
{
    private delegate void Attributes(ref NetlinkWriter writer);

    /// <summary>An RTM_GETNEIGH notification as vxlan_fdb_info lays one out for a miss.</summary>
    private static NetlinkEvent? DecodeMiss(Attributes attributes)
    {
        var buffer = new byte[256];
        var w = new NetlinkWriter(buffer);
        w.BeginMessage(Nl.RTM_GETNEIGH, 0, 0);
        var ndm = w.Reserve(Nda.MessageLength);
        ndm[0] = Interop.AF_INET;
        BinaryPrimitives.WriteInt32LittleEndian(ndm[4..], 7);
        BinaryPrimitives.WriteUInt16LittleEndian(ndm[8..], Nda.NUD_STALE);
        attributes(ref w);
        w.EndMessage();
        var reader = new NetlinkMessageReader(w.Written);
        Assert.True(reader.TryRead(out var message));
        return NetlinkEventStream.Decode(message);
    }

    [Fact]
    public void GetNeigh_WithMacOnly_IsAnL2Miss()
    {
        var e = Assert.IsType<NeighbourEvent>(DecodeMiss((ref NetlinkWriter w) => w.PutBytes(Nda.LLADDR, [2, 0x42, 10, 0, 0, 3])));
        Assert.True(e.IsL2Miss);
        Assert.False(e.IsL3Miss);
        Assert.Equal(PhysicalAddress.Parse("02-42-0A-00-00-03"), e.Entry.MacAddress);
        Assert.Equal(7, e.Entry.LinkIndex);
    }

    [Fact]
    public void GetNeigh_WithAddress_IsAnL3Miss()
    {
        var e = Assert.IsType<NeighbourEvent>(DecodeMiss((ref NetlinkWriter w) => w.PutAddress(Nda.DST, IPAddress.Parse("10.0.0.9"))));
        Assert.True(e.IsL3Miss);
        Assert.False(e.IsL2Miss);
        Assert.Equal(IPAddress.Parse("10.0.0.9"), e.Entry.Address);
    }

    [Fact]
    public void DelLink_IsADeletedLinkEvent()
    {
        var buffer = new byte[256];
        var w = new NetlinkWriter(buffer);
        w.BeginMessage(Nl.RTM_DELLINK, 0, 0);
        LinkCodec.WriteInfo(ref w, 12);
        w.PutString(Ifla.IFNAME, "veth9");
        w.EndMessage();
        var reader = new NetlinkMessageReader(w.Written);
        Assert.True(reader.TryRead(out var message));
        var e = Assert.IsType<LinkEvent>(NetlinkEventStream.Decode(message));
        Assert.True(e.Deleted);
        Assert.Equal("veth9", e.Link.Name);
        Assert.Equal(12, e.Link.Index);
    }
}
