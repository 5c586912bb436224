using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using Netstack.Linux;
using Xunit;

namespace Netstack.Linux.Tests.Wire;

public sealed class NeighbourAnnouncementTests
{
    private static readonly PhysicalAddress Mac = PhysicalAddress.Parse("02-42-0a-4d-00-03");

    [Fact]
    public void IPv4_IsAGratuitousArpReply_Broadcast_SenderAndTargetTheAddress()
    {
        var frame = NeighbourAnnouncement.Build(IPAddress.Parse("10.77.0.3"), Mac);

        Assert.Equal(Convert.FromHexString(
            "ffffffffffff" + "02420a4d0003" + "0806" +          // Ethernet: broadcast, from the peer, ARP
            "0001" + "0800" + "06" + "04" + "0002" +            // Ethernet/IPv4, reply
            "02420a4d0003" + "0a4d0003" +                       // sender: the peer
            "ffffffffffff" + "0a4d0003"), frame);               // target: broadcast MAC, the same address
    }

    [Fact]
    public void IPv6_IsAnUnsolicitedAdvertisementWithOverride_ToAllNodes_WithAValidChecksum()
    {
        var address = IPAddress.Parse("fd00:77::3");
        var frame = NeighbourAnnouncement.Build(address, Mac);

        Assert.Equal(14 + 40 + 32, frame.Length);
        Assert.Equal(Convert.FromHexString("333300000001" + "02420a4d0003" + "86dd"), frame[..14]);
        var ip = frame.AsSpan(14);
        Assert.Equal(0x60, ip[0]);
        Assert.Equal(32, BinaryPrimitives.ReadUInt16BigEndian(ip[4..]));
        Assert.Equal(58, ip[6]);
        Assert.Equal(255, ip[7]);
        Assert.Equal(address, new IPAddress(ip[8..24]));
        Assert.Equal(IPAddress.Parse("ff02::1"), new IPAddress(ip[24..40]));
        var icmp = ip[40..];
        Assert.Equal(136, icmp[0]);
        Assert.Equal(0, icmp[1]);
        Assert.Equal(0x20, icmp[4]); // O only: not a router, not solicited
        Assert.Equal(address, new IPAddress(icmp[8..24]));
        Assert.Equal([2, 1, 0x02, 0x42, 0x0a, 0x4d, 0x00, 0x03], icmp[24..32].ToArray());
        // The one's complement sum over pseudo-header and message, checksum included, is all ones.
        uint sum = 0;
        for (var i = 8; i < 40; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(ip[i..]);
        }
        sum += 32 + 58;
        for (var i = 0; i < 32; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(icmp[i..]);
        }
        while (sum > 0xffff)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        Assert.Equal(0xffffu, sum);
    }

    [Fact]
    public void BadInput_NamesWhatIsWrong()
    {
        var shortMac = Assert.Throws<ArgumentException>(() => NeighbourAnnouncement.Build(IPAddress.Parse("10.0.0.1"), PhysicalAddress.Parse("02-42-0a")));
        Assert.Contains("not 6 bytes", shortMac.Message, StringComparison.Ordinal);
    }
}
