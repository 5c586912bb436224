using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Text;
using Netstack.Dns.Wire;
using PacketDotNet;
using PacketDotNet.Utils;

namespace Netstack.Capture.Decoding;

/// <summary>
/// Decodes an Ethernet frame with PacketDotNet's header classes, one layer at a time: Ethernet,
/// 802.1Q, ARP, IPv4, IPv6, ICMP, ICMPv6, UDP, TCP, DNS (on port 53, with our own codec) and VXLAN
/// on the configured port, whose inner frame is decoded the same way. Every length is checked
/// before a header is read, so a frame that is truncated or lies about its lengths ends in a layer
/// marked malformed (and the summary says where), never in an exception: the decoder runs on frames
/// anyone can put on a wire.
/// </summary>
public static class FrameDecoder
{

    // Header sizes (IEEE 802.3, 802.1Q; RFC 826 for Ethernet/IPv4 ARP; RFC 791, 8200, 792, 4443, 768, 9293, 7348).
    private const int EthernetLength = 14;
    private const int VlanTagLength = 4;
    private const int ArpIPv4Length = 28;
    private const int IPv4MinLength = 20;
    private const int IPv6Length = 40;
    private const int IcmpLength = 8;
    private const int IcmpV6MinLength = 4;
    private const int UdpLength = 8;
    private const int TcpMinLength = 20;
    private const int VxlanLength = 8;
    private const int DnsHeaderLength = 12;
    private const ushort DnsPort = 53;

    // A VXLAN frame inside a VXLAN frame is legal; garbage can nest it without end, so stop here.
    private const int MaxTunnelDepth = 4;

    // A chain of IPv6 extension headers longer than this is garbage (RFC 8200 recommends each at most once).
    private const int MaxExtensionHeaders = 8;

    /// <summary>Decodes <paramref name="length"/> bytes of <paramref name="data"/>; <paramref name="wireLength"/> is the frame's length on the wire (larger when the snapshot length cut it).</summary>
    // PacketDotNet builds a packet's payload through LazySlim<PacketOrByteArraySegment>, which can fall
    // back to Activator.CreateInstance: keep that constructor in a trimmed (Native AOT) netstackd.
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor, typeof(PacketOrByteArraySegment))]
    public static DecodedFrame Decode(byte[] data, int length, int wireLength, CaptureNames? names = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var walk = new Walk(data, names ?? CaptureNames.None);
        walk.Ethernet(0, Math.Clamp(length, 0, data.Length), 0);
        var summary = walk.Text.ToString();
        if (wireLength > length)
        {
            summary += string.Create(CultureInfo.InvariantCulture, $" [captured {length} of {wireLength} bytes]");
        }
        return new DecodedFrame { Summary = summary, Layers = walk.Layers };
    }

    /// <summary>The state of one decode: the layers so far and the summary being written.</summary>
    private sealed class Walk(byte[] data, CaptureNames names)
    {
        public List<DecodedLayer> Layers { get; } = [];

        public StringBuilder Text { get; } = new();

        private DecodedLayer Layer(string protocol)
        {
            var layer = new DecodedLayer(protocol);
            Layers.Add(layer);
            return layer;
        }

        private ByteArraySegment Segment(int offset, int length) => new(data, offset, length);

        /// <summary>Marks the layer malformed and ends the summary with the reason.</summary>
        private void Bad(DecodedLayer layer, string why)
        {
            layer.Malformed = why;
            Text.Append(" [malformed ").Append(layer.Protocol).Append(": ").Append(why).Append(']');
        }

        private static string Truncated(string header, int have, int need) =>
            string.Create(CultureInfo.InvariantCulture, $"truncated {header} header, {have} of {need} bytes");

        // Any exception PacketDotNet raises on a header we already bounds-checked still ends in a malformed layer.
        private void Guard(DecodedLayer layer, Action read)
        {
            try
            {
                read();
            }
            catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or InvalidOperationException or NotSupportedException or OverflowException or FormatException)
            {
                Bad(layer, e.GetType().Name + ": " + e.Message);
            }
        }

        // ---- link layer

        public void Ethernet(int offset, int length, int depth)
        {
            var layer = Layer("eth");
            if (length < EthernetLength)
            {
                Text.Append("Ethernet");
                Bad(layer, Truncated("Ethernet", length, EthernetLength));
                return;
            }
            EthernetType type = 0;
            Guard(layer, () =>
            {
                var eth = new EthernetPacket(Segment(offset, EthernetLength));
                layer.Fields["eth.src"] = Mac(eth.SourceHardwareAddress);
                layer.Fields["eth.dst"] = Mac(eth.DestinationHardwareAddress);
                layer.Fields["eth.type"] = Hex16((ushort)eth.Type);
                NameMac(layer, "eth.src", eth.SourceHardwareAddress);
                NameMac(layer, "eth.dst", eth.DestinationHardwareAddress);
                type = eth.Type;
            });
            if (layer.Malformed is null)
            {
                EtherType(type, offset + EthernetLength, length - EthernetLength, depth);
            }
        }

        private void NameMac(DecodedLayer layer, string field, PhysicalAddress mac)
        {
            if (names.OfMac(Mac(mac)) is { } name)
            {
                layer.Fields[field + ".name"] = name;
            }
        }

        private void EtherType(EthernetType type, int offset, int length, int depth)
        {
            switch (type)
            {
                case EthernetType.VLanTaggedFrame:
                    Vlan(offset, length, depth);
                    break;
                case EthernetType.Arp:
                    Arp(offset, length);
                    break;
                case EthernetType.IPv4:
                    IPv4(offset, length, depth);
                    break;
                case EthernetType.IPv6:
                    IPv6(offset, length, depth);
                    break;
                default:
                    var link = Layers.Last(l => l.Protocol == "eth").Fields;
                    Text.Append(string.Create(CultureInfo.InvariantCulture,
                        $"{link["eth.src"]} > {link["eth.dst"]}, ethertype {Hex16((ushort)type)}, length {length}"));
                    break;
            }
        }

        private void Vlan(int offset, int length, int depth)
        {
            var layer = Layer("vlan");
            if (length < VlanTagLength)
            {
                Text.Append("802.1Q");
                Bad(layer, Truncated("802.1Q", length, VlanTagLength));
                return;
            }
            EthernetType type = 0;
            Guard(layer, () =>
            {
                // The tag after the TPID: priority, DEI and VLAN id (2 bytes), then the inner EtherType.
                var tag = new Ieee8021QPacket(Segment(offset, VlanTagLength));
                layer.Fields["vlan.id"] = tag.VlanIdentifier.ToString(CultureInfo.InvariantCulture);
                layer.Fields["vlan.priority"] = ((int)tag.PriorityControlPoint).ToString(CultureInfo.InvariantCulture);
                layer.Fields["vlan.etype"] = Hex16((ushort)tag.Type);
                type = tag.Type;
                Text.Append(string.Create(CultureInfo.InvariantCulture, $"vlan {tag.VlanIdentifier}, p {(int)tag.PriorityControlPoint}, "));
            });
            if (layer.Malformed is null)
            {
                EtherType(type, offset + VlanTagLength, length - VlanTagLength, depth);
            }
        }

        private void Arp(int offset, int length)
        {
            var layer = Layer("arp");
            Text.Append("ARP, ");
            if (length < ArpIPv4Length)
            {
                Bad(layer, Truncated("ARP", length, ArpIPv4Length));
                return;
            }
            Guard(layer, () =>
            {
                var arp = new ArpPacket(Segment(offset, ArpIPv4Length));
                if (arp.HardwareAddressLength != 6 || arp.ProtocolAddressLength != 4)
                {
                    Bad(layer, string.Create(CultureInfo.InvariantCulture, $"address lengths {arp.HardwareAddressLength}/{arp.ProtocolAddressLength}, expected 6/4 (Ethernet/IPv4)"));
                    return;
                }
                var op = (int)arp.Operation;
                layer.Fields["arp.opcode"] = op.ToString(CultureInfo.InvariantCulture);
                layer.Fields["arp.src.hw_mac"] = Mac(arp.SenderHardwareAddress);
                layer.Fields["arp.src.proto_ipv4"] = arp.SenderProtocolAddress.ToString();
                layer.Fields["arp.dst.hw_mac"] = Mac(arp.TargetHardwareAddress);
                layer.Fields["arp.dst.proto_ipv4"] = arp.TargetProtocolAddress.ToString();
                Text.Append(op switch
                {
                    1 => $"Request who-has {Named(arp.TargetProtocolAddress)} tell {Named(arp.SenderProtocolAddress)}",
                    2 => $"Reply {Named(arp.SenderProtocolAddress)} is-at {Mac(arp.SenderHardwareAddress)}",
                    _ => $"opcode {op}, {Named(arp.SenderProtocolAddress)} > {Named(arp.TargetProtocolAddress)}",
                }).Append(string.Create(CultureInfo.InvariantCulture, $", length {length}"));
            });
        }

        // ---- network layer

        private void IPv4(int offset, int length, int depth)
        {
            var layer = Layer("ip");
            Text.Append("IP ");
            if (length < IPv4MinLength)
            {
                Bad(layer, Truncated("IPv4", length, IPv4MinLength));
                return;
            }
            var version = data[offset] >> 4;
            var headerLength = (data[offset] & 0x0f) * 4;
            var totalLength = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(offset + 2));
            if (version != 4)
            {
                Bad(layer, string.Create(CultureInfo.InvariantCulture, $"version {version} in an IPv4 frame"));
                return;
            }
            if (headerLength < IPv4MinLength || headerLength > length)
            {
                Bad(layer, string.Create(CultureInfo.InvariantCulture, $"header length {headerLength} with {length} bytes present"));
                return;
            }
            if (totalLength < headerLength)
            {
                Bad(layer, string.Create(CultureInfo.InvariantCulture, $"total length {totalLength} is shorter than the header ({headerLength})"));
                return;
            }
            // A snapshot length may cut the frame: decode what is there, the summary says it was cut.
            var payloadLength = Math.Min(totalLength, length) - headerLength;
            ProtocolType protocol = 0;
            var fragment = false;
            IPAddress? source = null;
            IPAddress? destination = null;
            Guard(layer, () =>
            {
                var ip = new IPv4Packet(Segment(offset, headerLength));
                source = ip.SourceAddress;
                destination = ip.DestinationAddress;
                protocol = ip.Protocol;
                fragment = ip.FragmentOffset != 0;
                layer.Fields["ip.src"] = source.ToString();
                layer.Fields["ip.dst"] = destination.ToString();
                layer.Fields["ip.proto"] = ((int)protocol).ToString(CultureInfo.InvariantCulture);
                layer.Fields["ip.ttl"] = ip.TimeToLive.ToString(CultureInfo.InvariantCulture);
                layer.Fields["ip.id"] = Hex16(ip.Id);
                layer.Fields["ip.len"] = totalLength.ToString(CultureInfo.InvariantCulture);
                NameAddress(layer, "ip.src", source);
                NameAddress(layer, "ip.dst", destination);
            });
            if (layer.Malformed is not null)
            {
                return;
            }
            if (fragment)
            {
                Text.Append(string.Create(CultureInfo.InvariantCulture, $"{Named(source!)} > {Named(destination!)}: fragment, proto {(int)protocol}, length {payloadLength}"));
                return;
            }
            Transport(protocol, source!, destination!, offset + headerLength, payloadLength, depth, v6: false);
        }

        private void IPv6(int offset, int length, int depth)
        {
            var layer = Layer("ipv6");
            Text.Append("IP6 ");
            if (length < IPv6Length)
            {
                Bad(layer, Truncated("IPv6", length, IPv6Length));
                return;
            }
            var version = data[offset] >> 4;
            if (version != 6)
            {
                Bad(layer, string.Create(CultureInfo.InvariantCulture, $"version {version} in an IPv6 frame"));
                return;
            }
            var payloadLength = Math.Min(BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(offset + 4)), length - IPv6Length);
            ProtocolType next = 0;
            IPAddress? source = null;
            IPAddress? destination = null;
            Guard(layer, () =>
            {
                // The fixed header only: extension headers are not walked (the next header is shown as it is).
                var ip = new IPv6Packet(Segment(offset, IPv6Length));
                source = ip.SourceAddress;
                destination = ip.DestinationAddress;
                next = (ProtocolType)data[offset + 6];
                layer.Fields["ipv6.src"] = source.ToString();
                layer.Fields["ipv6.dst"] = destination.ToString();
                layer.Fields["ipv6.nxt"] = ((int)next).ToString(CultureInfo.InvariantCulture);
                layer.Fields["ipv6.hlim"] = data[offset + 7].ToString(CultureInfo.InvariantCulture);
                layer.Fields["ipv6.plen"] = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(offset + 4)).ToString(CultureInfo.InvariantCulture);
                NameAddress(layer, "ipv6.src", source);
                NameAddress(layer, "ipv6.dst", destination);
            });
            if (layer.Malformed is not null)
            {
                return;
            }
            // Extension headers (RFC 8200 4): hop-by-hop, routing and destination options carry their
            // length in 8-octet units after the first 8; a fragment header is 8 bytes. MLD comes behind hop-by-hop.
            var position = offset + IPv6Length;
            var remaining = payloadLength;
            for (var count = 0; next is ProtocolType.IPv6HopByHopOptions or ProtocolType.IPv6RoutingHeader or ProtocolType.IPv6DestinationOptions or ProtocolType.IPv6FragmentHeader; count++)
            {
                if (remaining < 8 || count == MaxExtensionHeaders)
                {
                    Bad(layer, remaining < 8
                        ? string.Create(CultureInfo.InvariantCulture, $"truncated extension header {(int)next}, {remaining} of 8 bytes")
                        : string.Create(CultureInfo.InvariantCulture, $"more than {MaxExtensionHeaders} extension headers"));
                    return;
                }
                var extensionLength = next == ProtocolType.IPv6FragmentHeader ? 8 : (data[position + 1] + 1) * 8;
                if (extensionLength > remaining)
                {
                    Bad(layer, string.Create(CultureInfo.InvariantCulture, $"extension header {(int)next} of {extensionLength} bytes with {remaining} present"));
                    return;
                }
                if (next == ProtocolType.IPv6FragmentHeader && (BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(position + 2)) & 0xfff8) != 0)
                {
                    Text.Append(string.Create(CultureInfo.InvariantCulture, $"{Named(source!)} > {Named(destination!)}: fragment, proto {data[position]}, length {remaining - 8}"));
                    return;
                }
                next = (ProtocolType)data[position];
                position += extensionLength;
                remaining -= extensionLength;
            }
            Transport(next, source!, destination!, position, remaining, depth, v6: true);
        }

        private void NameAddress(DecodedLayer layer, string field, IPAddress address)
        {
            if (names.OfAddress(address) is { } name)
            {
                layer.Fields[field + ".name"] = name;
            }
        }

        private string Named(IPAddress address) => names.OfAddress(address) is { } name ? $"{address} ({name})" : address.ToString();

        // ---- transport

        private void Transport(ProtocolType protocol, IPAddress source, IPAddress destination, int offset, int length, int depth, bool v6)
        {
            switch (protocol)
            {
                case ProtocolType.Icmp when !v6:
                    Icmp(source, destination, offset, length, depth);
                    break;
                case ProtocolType.IcmpV6 when v6:
                    IcmpV6(source, destination, offset, length, depth);
                    break;
                case ProtocolType.Udp:
                    Udp(source, destination, offset, length, depth);
                    break;
                case ProtocolType.Tcp:
                    Tcp(source, destination, offset, length);
                    break;
                default:
                    Text.Append(string.Create(CultureInfo.InvariantCulture, $"{Named(source)} > {Named(destination)}: proto {(int)protocol}, length {length}"));
                    break;
            }
        }

        private void Icmp(IPAddress source, IPAddress destination, int offset, int length, int depth)
        {
            var layer = Layer("icmp");
            Text.Append(Named(source)).Append(" > ").Append(Named(destination)).Append(": ICMP ");
            if (length < IcmpLength)
            {
                Bad(layer, Truncated("ICMP", length, IcmpLength));
                return;
            }
            var quotes = false;
            Guard(layer, () =>
            {
                var icmp = new IcmpV4Packet(Segment(offset, length));
                var type = data[offset];
                var code = data[offset + 1];
                layer.Fields["icmp.type"] = type.ToString(CultureInfo.InvariantCulture);
                layer.Fields["icmp.code"] = code.ToString(CultureInfo.InvariantCulture);
                var echo = type is 0 or 8;
                if (echo)
                {
                    layer.Fields["icmp.ident"] = icmp.Id.ToString(CultureInfo.InvariantCulture);
                    layer.Fields["icmp.seq"] = icmp.Sequence.ToString(CultureInfo.InvariantCulture);
                }
                Text.Append(type switch
                {
                    8 => $"echo request, id {icmp.Id}, seq {icmp.Sequence}",
                    0 => $"echo reply, id {icmp.Id}, seq {icmp.Sequence}",
                    3 => $"destination unreachable, code {code}",
                    11 => $"time exceeded, code {code}",
                    _ => $"type {type}, code {code}",
                }).Append(string.Create(CultureInfo.InvariantCulture, $", length {length}"));
                // Unreachable, time exceeded, parameter problem (RFC 792) quote the packet that caused them.
                quotes = type is 3 or 11 or 12 && length > IcmpLength;
            });
            // An error about an error is not quoted further (RFC 1122 3.2.2 forbids sending one anyway).
            if (quotes && layer.Malformed is null && Layers.Count(l => l.Protocol is "icmp" or "icmpv6") == 1)
            {
                Text.Append(": ");
                IPv4(offset + IcmpLength, length - IcmpLength, depth);
            }
        }

        private void IcmpV6(IPAddress source, IPAddress destination, int offset, int length, int depth)
        {
            var layer = Layer("icmpv6");
            Text.Append(Named(source)).Append(" > ").Append(Named(destination)).Append(": ICMP6, ");
            if (length < IcmpV6MinLength)
            {
                Bad(layer, Truncated("ICMPv6", length, IcmpV6MinLength));
                return;
            }
            var quotes = false;
            Guard(layer, () =>
            {
                var icmp = new IcmpV6Packet(Segment(offset, length));
                var type = (byte)icmp.Type;
                layer.Fields["icmpv6.type"] = type.ToString(CultureInfo.InvariantCulture);
                layer.Fields["icmpv6.code"] = icmp.Code.ToString(CultureInfo.InvariantCulture);
                var what = type switch
                {
                    128 => "echo request",
                    129 => "echo reply",
                    133 => "router solicitation",
                    134 => "router advertisement",
                    135 => "neighbor solicitation",
                    136 => "neighbor advertisement",
                    143 => "multicast listener report v2",
                    _ => string.Create(CultureInfo.InvariantCulture, $"type {type}, code {icmp.Code}"),
                };
                Text.Append(what);
                if (type is 128 or 129 && length >= IcmpLength)
                {
                    var id = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(offset + 4));
                    var seq = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(offset + 6));
                    layer.Fields["icmpv6.echo.identifier"] = id.ToString(CultureInfo.InvariantCulture);
                    layer.Fields["icmpv6.echo.sequence_number"] = seq.ToString(CultureInfo.InvariantCulture);
                    Text.Append(string.Create(CultureInfo.InvariantCulture, $", id {id}, seq {seq}"));
                }
                else if (type is 135 or 136 && length >= 24)
                {
                    var target = new IPAddress(data.AsSpan(offset + 8, 16));
                    layer.Fields["icmpv6.nd.ns.target_address"] = target.ToString();
                    Text.Append(", who has ").Append(Named(target));
                }
                Text.Append(string.Create(CultureInfo.InvariantCulture, $", length {length}"));
                // Unreachable, packet too big, time exceeded, parameter problem (RFC 4443) quote the packet.
                quotes = type is >= 1 and <= 4 && length > IcmpLength;
            });
            if (quotes && layer.Malformed is null && Layers.Count(l => l.Protocol is "icmp" or "icmpv6") == 1)
            {
                Text.Append(": ");
                IPv6(offset + IcmpLength, length - IcmpLength, depth);
            }
        }

        private void Udp(IPAddress source, IPAddress destination, int offset, int length, int depth)
        {
            var layer = Layer("udp");
            if (length < UdpLength)
            {
                Text.Append(Named(source)).Append(" > ").Append(Named(destination)).Append(": UDP");
                Bad(layer, Truncated("UDP", length, UdpLength));
                return;
            }
            ushort sourcePort = 0;
            ushort destinationPort = 0;
            var udpLength = 0;
            Guard(layer, () =>
            {
                var udp = new UdpPacket(Segment(offset, UdpLength));
                sourcePort = udp.SourcePort;
                destinationPort = udp.DestinationPort;
                udpLength = udp.Length;
                layer.Fields["udp.srcport"] = sourcePort.ToString(CultureInfo.InvariantCulture);
                layer.Fields["udp.dstport"] = destinationPort.ToString(CultureInfo.InvariantCulture);
                layer.Fields["udp.length"] = udpLength.ToString(CultureInfo.InvariantCulture);
            });
            Text.Append(Endpoint(source, sourcePort)).Append(" > ").Append(Endpoint(destination, destinationPort)).Append(": ");
            if (layer.Malformed is not null)
            {
                return;
            }
            if (udpLength < UdpLength)
            {
                Bad(layer, string.Create(CultureInfo.InvariantCulture, $"length field {udpLength} is shorter than the UDP header"));
                return;
            }
            // The length field bounds the payload; what the IP layer carried bounds it too (a cut snapshot).
            var payloadLength = Math.Min(udpLength, length) - UdpLength;
            var payload = offset + UdpLength;
            if (destinationPort == names.VxlanPort)
            {
                Vxlan(payload, payloadLength, depth);
            }
            else if (sourcePort == DnsPort || destinationPort == DnsPort)
            {
                Dns(payload, payloadLength);
            }
            else
            {
                Text.Append(string.Create(CultureInfo.InvariantCulture, $"UDP, length {payloadLength}"));
            }
        }

        private string Endpoint(IPAddress address, ushort port)
        {
            var name = names.OfAddress(address);
            return name is null
                ? string.Create(CultureInfo.InvariantCulture, $"{address}.{port}")
                : string.Create(CultureInfo.InvariantCulture, $"{address}.{port} ({name})");
        }

        private void Tcp(IPAddress source, IPAddress destination, int offset, int length)
        {
            var layer = Layer("tcp");
            if (length < TcpMinLength)
            {
                Text.Append(Named(source)).Append(" > ").Append(Named(destination)).Append(": TCP");
                Bad(layer, Truncated("TCP", length, TcpMinLength));
                return;
            }
            var dataOffset = (data[offset + 12] >> 4) * 4;
            var sourcePort = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(offset));
            var destinationPort = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(offset + 2));
            Text.Append(Endpoint(source, sourcePort)).Append(" > ").Append(Endpoint(destination, destinationPort)).Append(": ");
            if (dataOffset < TcpMinLength || dataOffset > length)
            {
                Bad(layer, string.Create(CultureInfo.InvariantCulture, $"data offset {dataOffset} with {length} bytes present"));
                return;
            }
            Guard(layer, () =>
            {
                var tcp = new TcpPacket(Segment(offset, dataOffset));
                layer.Fields["tcp.srcport"] = tcp.SourcePort.ToString(CultureInfo.InvariantCulture);
                layer.Fields["tcp.dstport"] = tcp.DestinationPort.ToString(CultureInfo.InvariantCulture);
                layer.Fields["tcp.seq_raw"] = tcp.SequenceNumber.ToString(CultureInfo.InvariantCulture);
                layer.Fields["tcp.ack_raw"] = tcp.AcknowledgmentNumber.ToString(CultureInfo.InvariantCulture);
                // The 12 flag bits after the data offset, as tshark's tcp.flags.
                var flags = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(offset + 12)) & 0x0fff;
                layer.Fields["tcp.flags"] = "0x" + flags.ToString("x3", CultureInfo.InvariantCulture);
                layer.Fields["tcp.window_size_value"] = tcp.WindowSize.ToString(CultureInfo.InvariantCulture);
                layer.Fields["tcp.len"] = (length - dataOffset).ToString(CultureInfo.InvariantCulture);
                var text = new StringBuilder("Flags [");
                if (tcp.Synchronize) text.Append('S');
                if (tcp.Finished) text.Append('F');
                if (tcp.Reset) text.Append('R');
                if (tcp.Push) text.Append('P');
                if (tcp.Urgent) text.Append('U');
                if (tcp.ExplicitCongestionNotificationEcho) text.Append('E');
                if (tcp.CongestionWindowReduced) text.Append('W');
                if (tcp.Acknowledgment) text.Append('.');
                text.Append(string.Create(CultureInfo.InvariantCulture, $"], seq {tcp.SequenceNumber}"));
                if (tcp.Acknowledgment)
                {
                    text.Append(string.Create(CultureInfo.InvariantCulture, $", ack {tcp.AcknowledgmentNumber}"));
                }
                text.Append(string.Create(CultureInfo.InvariantCulture, $", win {tcp.WindowSize}, length {length - dataOffset}"));
                Text.Append(text);
            });
        }

        // ---- application

        private void Vxlan(int offset, int length, int depth)
        {
            var layer = Layer("vxlan");
            Text.Append("VXLAN");
            if (length < VxlanLength)
            {
                Bad(layer, Truncated("VXLAN", length, VxlanLength));
                return;
            }
            uint vni = 0;
            Guard(layer, () =>
            {
                var vxlan = new VxlanPacket(Segment(offset, VxlanLength));
                vni = vxlan.Vni;
                // The 16 bits Wireshark shows as vxlan.flags: the flags byte and the reserved byte after it.
                layer.Fields["vxlan.flags"] = Hex16(BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(offset)));
                layer.Fields["vxlan.vni"] = vni.ToString(CultureInfo.InvariantCulture);
            });
            if (layer.Malformed is not null)
            {
                return;
            }
            // RFC 7348 5: the I flag (0x08) says the VNI is valid.
            if ((data[offset] & 0x08) == 0)
            {
                Bad(layer, "I flag clear (no valid VNI)");
                return;
            }
            Text.Append(" vni ").Append(vni.ToString(CultureInfo.InvariantCulture));
            if (names.OfVni(vni) is { } network)
            {
                layer.Fields["vxlan.vni.name"] = network;
                Text.Append(" (").Append(network).Append(')');
            }
            Text.Append(": ");
            if (depth + 1 >= MaxTunnelDepth)
            {
                Bad(layer, string.Create(CultureInfo.InvariantCulture, $"tunnels nested deeper than {MaxTunnelDepth}"));
                return;
            }
            Ethernet(offset + VxlanLength, length - VxlanLength, depth + 1);
        }

        private void Dns(int offset, int length)
        {
            var layer = Layer("dns");
            Text.Append("DNS ");
            if (length < DnsHeaderLength)
            {
                Bad(layer, Truncated("DNS", length, DnsHeaderLength));
                return;
            }
            if (!DnsMessage.TryParse(data.AsSpan(offset, length), out var message, out var error) || message is null)
            {
                Bad(layer, error?.Message ?? "not a DNS message");
                return;
            }
            layer.Fields["dns.id"] = Hex16(message.Id);
            layer.Fields["dns.flags.response"] = message.IsResponse ? "1" : "0";
            if (message.IsResponse)
            {
                // Only answers carry a meaningful code (Wireshark shows none for a query).
                layer.Fields["dns.flags.rcode"] = ((int)message.ResponseCode).ToString(CultureInfo.InvariantCulture);
            }
            Text.Append(message.IsResponse ? "response " : "query ").Append(Hex16(message.Id));
            if (message.IsResponse)
            {
                Text.Append(' ').Append(message.ResponseCode.ToString().ToUpperInvariant());
            }
            if (message.Questions.Count > 0)
            {
                var q = message.Questions[0];
                layer.Fields["dns.qry.name"] = DnsName.TrimRootDot(q.Name);
                layer.Fields["dns.qry.type"] = ((int)q.Type).ToString(CultureInfo.InvariantCulture);
                Text.Append(' ').Append(q.Type).Append("? ").Append(DnsName.TrimRootDot(q.Name));
            }
            var addresses = new List<string>();
            var addresses6 = new List<string>();
            foreach (var answer in message.Answers)
            {
                var value = answer.Data switch
                {
                    DnsAddressData a => a.Address.ToString(),
                    DnsNameData n => DnsName.TrimRootDot(n.Name),
                    _ => "…",
                };
                if (answer.Type == DnsRecordType.A)
                {
                    addresses.Add(value);
                }
                else if (answer.Type == DnsRecordType.AAAA)
                {
                    addresses6.Add(value);
                }
                Text.Append(' ').Append(answer.Type).Append(' ').Append(value);
                if (answer.Data is DnsAddressData ad && names.OfAddress(ad.Address) is { } who)
                {
                    Text.Append(" (").Append(who).Append(')');
                }
            }
            layer.Fields["dns.count.answers"] = message.Answers.Count.ToString(CultureInfo.InvariantCulture);
            if (addresses.Count > 0)
            {
                layer.Fields["dns.a"] = string.Join(',', addresses);
            }
            if (addresses6.Count > 0)
            {
                layer.Fields["dns.aaaa"] = string.Join(',', addresses6);
            }
        }

        private static string Mac(PhysicalAddress mac) => string.Join(':', mac.GetAddressBytes().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));

        private static string Hex16(ushort value) => "0x" + value.ToString("x4", CultureInfo.InvariantCulture);
    }
}
