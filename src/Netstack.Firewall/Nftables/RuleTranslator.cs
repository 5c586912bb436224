using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Netstack.Linux.Netfilter;

namespace Netstack.Firewall.Nftables;

/// <summary>
/// Turns a <see cref="FirewallRule"/>'s iptables arguments into nf_tables expressions with the same
/// meaning, as <c>iptables-translate</c> would write them: <c>-i/-o</c> as <c>iifname/oifname</c>,
/// <c>-s/-d</c> as <c>ip saddr/daddr</c> (a prefix through a mask), <c>-p</c> as
/// <c>meta l4proto</c>, <c>--dport/--sport</c> as transport header loads, <c>-m conntrack --ctstate</c>
/// as <c>ct state</c>, <c>-m addrtype --src-type/--dst-type LOCAL</c> as <c>fib saddr/daddr type local</c>;
/// targets <c>ACCEPT</c>, <c>DROP</c>, <c>RETURN</c>, a jump or goto, <c>MASQUERADE</c> and
/// <c>DNAT --to-destination</c>. Anything else is refused, naming the argument, before any batch is sent.
/// </summary>
internal static class RuleTranslator
{
    // IFNAMSIZ: interface names are compared as 16 bytes, NUL-padded (what nft writes for a name without '*').
    private const int InterfaceNameBytes = 16;

    public static IReadOnlyList<NftExpression> Translate(FirewallRule rule, IpFamily family)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var args = rule.Arguments;
        var expressions = new List<NftExpression>();
        NftExpression[]? target = null;
        var negate = false;
        string? protocol = null;
        for (var i = 0; i < args.Count; i++)
        {
            var option = args[i];
            string Value()
            {
                if (i + 1 >= args.Count)
                {
                    throw Refuse(rule, $"{option} needs a value");
                }
                return args[++i];
            }
            if (option == "!")
            {
                negate = true;
                continue;
            }
            var op = negate ? NftCmpOp.NotEqual : NftCmpOp.Equal;
            var negated = negate;
            negate = false;
            switch (option)
            {
                case "-i" or "--in-interface":
                    expressions.Add(new NftMeta(NftMetaKey.InputInterfaceName));
                    expressions.Add(new NftCmp(op, InterfaceName(rule, Value())));
                    break;
                case "-o" or "--out-interface":
                    expressions.Add(new NftMeta(NftMetaKey.OutputInterfaceName));
                    expressions.Add(new NftCmp(op, InterfaceName(rule, Value())));
                    break;
                case "-s" or "--source" or "--src":
                    AddressMatch(expressions, rule, family, source: true, Value(), op);
                    break;
                case "-d" or "--destination" or "--dst":
                    AddressMatch(expressions, rule, family, source: false, Value(), op);
                    break;
                case "-p" or "--protocol":
                    protocol = Value();
                    expressions.Add(new NftMeta(NftMetaKey.L4Protocol));
                    expressions.Add(new NftCmp(op, [ProtocolNumber(rule, protocol)]));
                    break;
                case "-m" or "--match":
                    var module = Value();
                    if (negated || module is not ("tcp" or "udp" or "sctp" or "conntrack" or "state" or "addrtype" or "comment"))
                    {
                        throw Refuse(rule, $"-m {module}");
                    }
                    if (module is "tcp" or "udp" or "sctp" && module != protocol)
                    {
                        throw Refuse(rule, $"-m {module} without -p {module} before it");
                    }
                    break;
                case "--dport" or "--destination-port" or "--sport" or "--source-port":
                    if (protocol is not ("tcp" or "udp" or "sctp"))
                    {
                        throw Refuse(rule, $"{option} without -p tcp, udp or sctp before it");
                    }
                    var port = Value();
                    if (!ushort.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
                    {
                        throw Refuse(rule, $"{option} {port} (a single port 0-65535)");
                    }
                    // Both ports open the TCP, UDP and SCTP headers: source at 0, destination at 2.
                    var offset = option is "--dport" or "--destination-port" ? 2u : 0u;
                    expressions.Add(new NftPayload(NftPayloadBase.Transport, offset, 2));
                    expressions.Add(new NftCmp(op, Be16(number)));
                    break;
                case "--ctstate" or "--state":
                    var mask = CtStates(rule, Value());
                    expressions.Add(new NftCtState());
                    expressions.Add(new NftBitwise(HostU32(mask), HostU32(0)));
                    // Any of the states: (state & mask) != 0 (negated: == 0).
                    expressions.Add(new NftCmp(negated ? NftCmpOp.Equal : NftCmpOp.NotEqual, HostU32(0)));
                    break;
                case "--src-type" or "--dst-type":
                    var type = Value();
                    if (type != "LOCAL")
                    {
                        throw Refuse(rule, $"{option} {type} (only LOCAL)");
                    }
                    expressions.Add(new NftFibAddressType(Source: option == "--src-type"));
                    expressions.Add(new NftCmp(op, HostU32(NftFibAddressType.Local)));
                    break;
                case "--comment":
                    Value(); // the owner's comment is the rule's own; an extra one changes nothing
                    break;
                case "-j" or "--jump" or "-g" or "--goto":
                    var name = Value();
                    target = Target(rule, family, option is "-g" or "--goto", name, args, ref i);
                    break;
                default:
                    throw Refuse(rule, negated ? $"! {option}" : option);
            }
            if (negated && option is "-m" or "-j" or "--jump" or "-g" or "--goto" or "--comment")
            {
                throw Refuse(rule, $"! {option}");
            }
        }
        if (negate)
        {
            throw Refuse(rule, "a trailing !");
        }
        if (target is not null)
        {
            expressions.AddRange(target);
        }
        return expressions;
    }

    /// <summary>The nf_tables chain that stands for iptables' <paramref name="table"/>/<paramref name="chain"/> in netstack's table.</summary>
    public static string ChainName(string table, string chain) => $"{table}-{chain}";

    /// <summary>The hook of the base chain that stands for a built-in chain, as iptables-nft registers them.</summary>
    public static NftHook? HookOf(string table, string chain) => (table, chain) switch
    {
        ("filter", "INPUT") => new NftHook("filter", NftHook.Input, NftHook.FilterPriority),
        ("filter", "FORWARD") => new NftHook("filter", NftHook.Forward, NftHook.FilterPriority),
        ("filter", "OUTPUT") => new NftHook("filter", NftHook.Output, NftHook.FilterPriority),
        ("nat", "PREROUTING") => new NftHook("nat", NftHook.PreRouting, NftHook.DestinationNatPriority),
        ("nat", "INPUT") => new NftHook("nat", NftHook.Input, NftHook.SourceNatPriority),
        ("nat", "OUTPUT") => new NftHook("nat", NftHook.Output, NftHook.DestinationNatPriority),
        ("nat", "POSTROUTING") => new NftHook("nat", NftHook.PostRouting, NftHook.SourceNatPriority),
        _ => null,
    };

    /// <summary>Only filter and nat rules can be written (mangle, raw and security chains have no counterpart here).</summary>
    public static void CheckTable(string owner, string table)
    {
        if (table is not ("filter" or "nat"))
        {
            throw new FirewallException($"firewall (nftables) apply {owner}: table {table} is not supported by the nftables backend; use filter or nat, or --firewall-backend iptables");
        }
    }

    private static NftExpression[] Target(FirewallRule rule, IpFamily family, bool isGoto, string name, IReadOnlyList<string> args, ref int i)
    {
        switch (name)
        {
            case "ACCEPT":
                return [new NftVerdict(NftVerdictCode.Accept)];
            case "DROP":
                return [new NftVerdict(NftVerdictCode.Drop)];
            case "RETURN":
                return [new NftVerdict(NftVerdictCode.Return)];
            case "MASQUERADE":
                RequireNat(rule, name);
                return [new NftMasquerade()];
            case "DNAT":
                RequireNat(rule, name);
                if (i + 2 >= args.Count || args[i + 1] != "--to-destination")
                {
                    throw Refuse(rule, "-j DNAT without --to-destination ADDR[:PORT]");
                }
                i += 2;
                return Dnat(rule, family, args[i]);
            default:
                if (!FirewallNames.IsOwnedChainName(name))
                {
                    throw Refuse(rule, $"-j {name}");
                }
                return [new NftVerdict(isGoto ? NftVerdictCode.Goto : NftVerdictCode.Jump, ChainName(rule.Table, name))];
        }
    }

    private static void RequireNat(FirewallRule rule, string target)
    {
        if (rule.Table != "nat")
        {
            throw Refuse(rule, $"-j {target} outside the nat table");
        }
    }

    private static NftExpression[] Dnat(FirewallRule rule, IpFamily family, string value)
    {
        // ADDR, ADDR:PORT, [ADDR6], [ADDR6]:PORT, ADDR6 (iptables-extensions(8) DNAT).
        string address;
        string? port = null;
        if (value.StartsWith('['))
        {
            var end = value.IndexOf(']', StringComparison.Ordinal);
            if (end < 0)
            {
                throw Refuse(rule, $"--to-destination {value}");
            }
            address = value[1..end];
            if (end + 1 < value.Length)
            {
                if (value[end + 1] != ':')
                {
                    throw Refuse(rule, $"--to-destination {value}");
                }
                port = value[(end + 2)..];
            }
        }
        else if (value.Count(c => c == ':') == 1)
        {
            var colon = value.IndexOf(':', StringComparison.Ordinal);
            address = value[..colon];
            port = value[(colon + 1)..];
        }
        else
        {
            address = value;
        }
        if (!IPAddress.TryParse(address, out var ip) || ip.AddressFamily != AddressFamilyOf(family))
        {
            throw Refuse(rule, $"--to-destination {value} (one {family} address)");
        }
        var nftFamily = family == IpFamily.IPv6 ? NftFamily.IPv6 : NftFamily.IPv4;
        if (port is null)
        {
            return [new NftImmediate(ip.GetAddressBytes(), NftExpression.Register1), new NftDnatAddressOnly(nftFamily)];
        }
        if (!ushort.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            throw Refuse(rule, $"--to-destination {value} (a single port 0-65535)");
        }
        return
        [
            new NftImmediate(ip.GetAddressBytes(), NftExpression.Register1),
            new NftImmediate(Be16(number), NftExpression.Register2),
            new NftDnat(nftFamily),
        ];
    }

    private static void AddressMatch(List<NftExpression> expressions, FirewallRule rule, IpFamily family, bool source, string value, NftCmpOp op)
    {
        if (value.Contains(',', StringComparison.Ordinal))
        {
            throw Refuse(rule, $"{(source ? "-s" : "-d")} {value} (one address or prefix per rule)");
        }
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        var text = slash < 0 ? value : value[..slash];
        if (!IPAddress.TryParse(text, out var address) || address.AddressFamily != AddressFamilyOf(family))
        {
            throw Refuse(rule, $"{(source ? "-s" : "-d")} {value} (an {family} address or prefix)");
        }
        var bytes = address.GetAddressBytes();
        var bits = bytes.Length * 8;
        var prefix = bits;
        if (slash >= 0 && (!int.TryParse(value[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > bits))
        {
            throw Refuse(rule, $"{(source ? "-s" : "-d")} {value} (prefix length 0-{bits})");
        }
        if (prefix == 0)
        {
            if (op == NftCmpOp.NotEqual)
            {
                throw Refuse(rule, $"! {(source ? "-s" : "-d")} {value} (matches nothing)");
            }
            return; // any address
        }
        // IPv4: saddr at 12, daddr at 16; IPv6: saddr at 8, daddr at 24 (RFC 791, RFC 8200).
        var offset = family == IpFamily.IPv6 ? (source ? 8u : 24u) : (source ? 12u : 16u);
        expressions.Add(new NftPayload(NftPayloadBase.Network, offset, (uint)bytes.Length));
        if (prefix < bits)
        {
            var mask = new byte[bytes.Length];
            for (var b = 0; b < prefix; b++)
            {
                mask[b / 8] |= (byte)(0x80 >> (b % 8));
            }
            for (var b = 0; b < bytes.Length; b++)
            {
                bytes[b] &= mask[b];
            }
            expressions.Add(new NftBitwise(mask, new byte[bytes.Length]));
        }
        expressions.Add(new NftCmp(op, bytes));
    }

    private static byte[] InterfaceName(FirewallRule rule, string name)
    {
        var bytes = Encoding.ASCII.GetBytes(name);
        if (bytes.Length >= InterfaceNameBytes || name.EndsWith('+'))
        {
            throw Refuse(rule, $"interface {name} (a full name of at most 15 characters)");
        }
        var padded = new byte[InterfaceNameBytes];
        bytes.CopyTo(padded, 0);
        return padded;
    }

    private static byte ProtocolNumber(FirewallRule rule, string protocol) => protocol switch
    {
        "tcp" => (byte)ProtocolType.Tcp,
        "udp" => (byte)ProtocolType.Udp,
        "sctp" => 132,
        "icmp" => (byte)ProtocolType.Icmp,
        "ipv6-icmp" or "icmpv6" => (byte)ProtocolType.IcmpV6,
        _ => throw Refuse(rule, $"-p {protocol}"),
    };

    private static uint CtStates(FirewallRule rule, string states)
    {
        var mask = 0u;
        foreach (var state in states.Split(','))
        {
            mask |= state switch
            {
                "ESTABLISHED" => NftCtState.Established,
                "RELATED" => NftCtState.Related,
                "NEW" => NftCtState.New,
                "INVALID" => NftCtState.Invalid,
                _ => throw Refuse(rule, $"--ctstate {state}"),
            };
        }
        return mask;
    }

    private static AddressFamily AddressFamilyOf(IpFamily family) =>
        family == IpFamily.IPv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;

    private static byte[] Be16(ushort value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] HostU32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return bytes;
    }

    private static FirewallException Refuse(FirewallRule rule, string what) =>
        new($"firewall (nftables): rule \"-A {rule.Chain} {string.Join(' ', rule.Arguments)}\" in {rule.Table}: {what} has no nftables translation here; use --firewall-backend iptables for such rules");
}
