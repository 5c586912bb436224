using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Netstack.Linux;

/// <summary>
/// The frame that tells every host on a segment where an address lives, without being asked: for
/// IPv4 a gratuitous ARP reply (RFC 5227 §3: sender and target address both the announced one,
/// broadcast), for IPv6 an unsolicited Neighbor Advertisement with the Override flag to all-nodes
/// (RFC 4861 §7.2.6). Linux updates an existing neighbour entry from either (an unresolved one then
/// sends the packets it queued) and, with its defaults (arp_accept 0), creates none.
/// </summary>
public static class NeighbourAnnouncement
{
    private static readonly byte[] Broadcast = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
    private static readonly byte[] AllNodesMac = [0x33, 0x33, 0x00, 0x00, 0x00, 0x01];
    private static readonly IPAddress AllNodes = IPAddress.Parse("ff02::1");

    /// <summary>The announcement of <paramref name="address"/> at <paramref name="mac"/>, a whole Ethernet frame.</summary>
    public static byte[] Build(IPAddress address, PhysicalAddress mac)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(mac);
        var hardware = mac.GetAddressBytes();
        if (hardware.Length != 6)
        {
            throw new ArgumentException($"MAC address {mac} is not 6 bytes", nameof(mac));
        }
        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => GratuitousArp(address.GetAddressBytes(), hardware),
            AddressFamily.InterNetworkV6 => UnsolicitedAdvertisement(address, hardware),
            _ => throw new ArgumentException($"address {address} is neither IPv4 nor IPv6", nameof(address)),
        };
    }

    private static byte[] GratuitousArp(byte[] ip, byte[] mac)
    {
        var frame = new byte[14 + 28];
        var f = frame.AsSpan();
        Broadcast.CopyTo(f);
        mac.CopyTo(f[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(f[12..], 0x0806);
        var arp = f[14..];
        BinaryPrimitives.WriteUInt16BigEndian(arp, 1);          // hardware: Ethernet
        BinaryPrimitives.WriteUInt16BigEndian(arp[2..], 0x0800); // protocol: IPv4
        arp[4] = 6;
        arp[5] = 4;
        // A reply, not a request: a VXLAN device with proxy ARP on the same bridge answers requests
        // itself, and would send an answer back for every announcement.
        BinaryPrimitives.WriteUInt16BigEndian(arp[6..], 2);
        mac.CopyTo(arp[8..]);
        ip.CopyTo(arp[14..]);
        Broadcast.CopyTo(arp[18..]); // target hardware broadcast: what Linux takes for a gratuitous reply
        ip.CopyTo(arp[24..]);
        return frame;
    }

    private static byte[] UnsolicitedAdvertisement(IPAddress address, byte[] mac)
    {
        const int Icmp = 24 + 8; // advertisement + target link-layer address option
        var frame = new byte[14 + 40 + Icmp];
        var f = frame.AsSpan();
        AllNodesMac.CopyTo(f);
        mac.CopyTo(f[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(f[12..], 0x86dd);
        var ip = f[14..];
        ip[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], Icmp);
        ip[6] = 58;   // next header: ICMPv6
        ip[7] = 255;  // hop limit: receivers drop neighbour discovery with any other
        address.GetAddressBytes().CopyTo(ip[8..]);
        AllNodes.GetAddressBytes().CopyTo(ip[24..]);
        var icmp = ip[40..];
        icmp[0] = 136; // Neighbor Advertisement
        icmp[4] = 0x20; // Override; neither Router nor Solicited
        address.GetAddressBytes().CopyTo(icmp[8..]);
        icmp[24] = 2; // option: target link-layer address
        icmp[25] = 1; // length in units of 8 bytes
        mac.CopyTo(icmp[26..]);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], Icmpv6Checksum(ip[8..24], ip[24..40], icmp));
        return frame;
    }

    /// <summary>RFC 4443 §2.3: the one's complement sum over the pseudo-header and the message.</summary>
    private static ushort Icmpv6Checksum(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, ReadOnlySpan<byte> message)
    {
        uint sum = 0;
        Add(source);
        Add(destination);
        sum += (uint)(message.Length >> 16) + (uint)(message.Length & 0xffff);
        sum += 58;
        Add(message);
        while (sum > 0xffff)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (ushort)~sum;

        void Add(ReadOnlySpan<byte> data)
        {
            for (var i = 0; i + 1 < data.Length; i += 2)
            {
                sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
            }
            if ((data.Length & 1) != 0)
            {
                sum += (uint)data[^1] << 8;
            }
        }
    }
}
