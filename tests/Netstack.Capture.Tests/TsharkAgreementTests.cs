using Netstack.Api.Client;
using Netstack.Capture.Decoding;
using Netstack.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Netstack.Capture.Tests;

/// <summary>
/// Our pcap and pcapng files, read back by Debian's tshark, and every field tshark dissects compared
/// with our decoder's, VXLAN inner frames included. (The privileged capture tests do the same with
/// frames the kernel carried.)
/// </summary>
public sealed class TsharkAgreementTests(ITestOutputHelper output)
{
    private static readonly byte[][] Packets =
    [
        Frames.OverlayPing(),
        Frames.MldReport(),
        Frames.PortUnreachable(),
        Frames.Ip4Frame("10.20.0.2", "10.20.0.3", 1, Frames.IcmpEcho(true, 77, 3)),
        Frames.Ip4Frame("10.20.0.3", "10.20.0.2", 1, Frames.IcmpEcho(false, 77, 3)),
        Frames.ArpRequest(System.Net.IPAddress.Parse("10.20.0.2"), System.Net.IPAddress.Parse("10.20.0.1")),
        Frames.Ip4Frame("10.20.0.2", "10.20.0.3", 17, Frames.Udp(5000, 6000, "hello"u8.ToArray())),
        Frames.Ip4Frame("10.20.0.2", "10.20.0.3", 6, Frames.Tcp(40000, 80, 1000, 0, 0x002)),
        Frames.Ip4Frame("10.20.0.3", "10.20.0.2", 6, Frames.Tcp(80, 40000, 5000, 1001, 0x012)),
        Frames.Ip4Frame("10.20.0.2", "127.0.0.11", 17, Frames.Udp(33000, 53, Frames.Dns(0xbeef, "web.example"))),
        Frames.Ip4Frame("127.0.0.11", "10.20.0.2", 17, Frames.Udp(53, 33000, Frames.Dns(0xbeef, "web", System.Net.IPAddress.Parse("10.93.0.2")))),
        Frames.Ethernet(0x86dd, Frames.IPv6(System.Net.IPAddress.Parse("fd00::2"), System.Net.IPAddress.Parse("fd00::3"), 58, Frames.IcmpEcho(true, 9, 2, v6: true))),
        Frames.Vlan(10, 0x0800, Frames.IPv4(System.Net.IPAddress.Parse("10.1.0.1"), System.Net.IPAddress.Parse("10.1.0.2"), 17, Frames.Udp(1234, 4321, [1, 2, 3]))),
    ];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void FileReadBackByTshark_EveryFieldAgreesWithOurDecode(int interfaces)
    {
        var path = Path.Combine(Path.GetTempPath(), $"nst-capture-{Guid.NewGuid():N}.pcap");
        try
        {
            using (var writer = new PcapFileWriter(File.Create(path), [.. Enumerable.Range(0, interfaces).Select(i => new PcapInterface(1, 262144, "eth" + i))]))
            {
                for (var i = 0; i < Packets.Length; i++)
                {
                    writer.Write(i % interfaces, 1_700_000_000_000_000 + i, Packets[i].Length, Packets[i]);
                }
            }
            var theirs = Tshark.Read(path);
            Assert.Equal(Packets.Length, theirs.Count);
            var compared = 0;
            for (var i = 0; i < Packets.Length; i++)
            {
                var decoded = FrameDecoder.Decode(Packets[i], Packets[i].Length, Packets[i].Length, CaptureNames.None);
                var (differences, count) = Tshark.Compare(FieldsOf(decoded), theirs[i]);
                compared += count;
                Assert.True(differences.Count == 0, $"packet {i} ({decoded.Summary}):\n" + string.Join("\n", differences));
            }
            output.WriteLine($"{compared} field values compared over {Packets.Length} packets");
            Assert.True(compared > 100, $"only {compared} values compared");
        }
        finally
        {
            File.Delete(path);
        }
    }

    internal static Dictionary<string, List<string>> FieldsOf(DecodedFrame frame)
    {
        var fields = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var layer in frame.Layers)
        {
            foreach (var (key, value) in layer.Fields)
            {
                if (!fields.TryGetValue(key, out var list))
                {
                    fields[key] = list = [];
                }
                // dns.a holds every A answer, comma-separated; tshark lists them as occurrences.
                list.AddRange(key == "dns.a" ? value.Split(',') : [value]);
            }
        }
        return fields;
    }
}
