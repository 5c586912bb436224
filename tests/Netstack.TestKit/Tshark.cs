using System.Globalization;

namespace Netstack.TestKit;

/// <summary>
/// Wireshark's own dissector as the oracle for ours: reads a pcap or pcapng file with Debian's
/// <c>tshark</c> and compares, packet by packet, every field our decoder gave (keyed by Wireshark's
/// field names) with what tshark finds, in order of occurrence, so a VXLAN frame's inner IP fields
/// are compared as the second occurrence of <c>ip.src</c>.
/// </summary>
public static class Tshark
{
    /// <summary>The fields both decoders know; anything else ours writes (names, counts) is not compared.</summary>
    public static readonly string[] Fields =
    [
        "eth.src", "eth.dst", "eth.type", "vlan.id", "vlan.etype",
        "arp.opcode", "arp.src.hw_mac", "arp.src.proto_ipv4", "arp.dst.hw_mac", "arp.dst.proto_ipv4",
        "ip.src", "ip.dst", "ip.proto", "ip.ttl", "ip.id", "ip.len",
        "ipv6.src", "ipv6.dst", "ipv6.nxt", "ipv6.hlim", "ipv6.plen",
        "icmp.type", "icmp.code", "icmp.ident", "icmp.seq",
        "icmpv6.type", "icmpv6.code", "icmpv6.echo.identifier", "icmpv6.echo.sequence_number",
        "udp.srcport", "udp.dstport", "udp.length",
        "tcp.srcport", "tcp.dstport", "tcp.seq_raw", "tcp.ack_raw", "tcp.flags", "tcp.window_size_value", "tcp.len",
        "dns.id", "dns.flags.response", "dns.flags.rcode", "dns.qry.name", "dns.qry.type", "dns.count.answers", "dns.a",
        "vxlan.flags", "vxlan.vni",
    ];

    /// <summary>Every packet of the file: field name to its values in order of occurrence.</summary>
    public static IReadOnlyList<Dictionary<string, string[]>> Read(string path, params string[] extraArgs)
    {
        // '|' between occurrences (field values never hold it); tab between fields.
        var args = new List<string> { "-r", path, "-n", "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=|", "-E", "separator=/t" };
        args.AddRange(extraArgs);
        foreach (var field in Fields)
        {
            args.Add("-e");
            args.Add(field);
        }
        var (exit, output, error) = TestNamespace.TryRun("tshark", [.. args]);
        if (exit != 0)
        {
            throw new InvalidOperationException($"tshark -r {path} exited {exit}: {error}");
        }
        var packets = new List<Dictionary<string, string[]>>();
        foreach (var line in output.Split('\n'))
        {
            if (line.Length == 0)
            {
                continue;
            }
            var columns = line.Split('\t');
            var packet = new Dictionary<string, string[]>(StringComparer.Ordinal);
            for (var i = 0; i < Fields.Length && i < columns.Length; i++)
            {
                if (columns[i].Length > 0)
                {
                    packet[Fields[i]] = columns[i].Split('|');
                }
            }
            packets.Add(packet);
        }
        return packets;
    }

    /// <summary>
    /// The differences between our fields (<paramref name="ours"/>: field name to values in occurrence
    /// order) and tshark's for one packet; empty when they agree. Numbers are compared as numbers
    /// (tshark writes some in hex), booleans as 0/1, text case-insensitively. Also returns how many
    /// values were compared, so a test can insist that something was.
    /// </summary>
    public static (List<string> Differences, int Compared) Compare(IReadOnlyDictionary<string, List<string>> ours, Dictionary<string, string[]> theirs)
    {
        var differences = new List<string>();
        var compared = 0;
        foreach (var field in Fields)
        {
            ours.TryGetValue(field, out var mine);
            theirs.TryGetValue(field, out var tshark);
            mine ??= [];
            tshark ??= [];
            if (mine.Count != tshark.Length)
            {
                differences.Add($"{field}: ours [{string.Join(", ", mine)}], tshark's [{string.Join(", ", tshark)}]");
                continue;
            }
            for (var i = 0; i < mine.Count; i++)
            {
                compared++;
                if (!Same(mine[i], tshark[i]))
                {
                    differences.Add($"{field}[{i}]: ours {mine[i]}, tshark's {tshark[i]}");
                }
            }
        }
        return (differences, compared);
    }

    private static bool Same(string a, string b) =>
        (Number(a), Number(b)) is ({ } x, { } y) ? x == y : string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static ulong? Number(string text)
    {
        if (text is "True" or "true")
        {
            return 1;
        }
        if (text is "False" or "false")
        {
            return 0;
        }
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return ulong.TryParse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var hex) ? hex : null;
        }
        return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
    }
}
