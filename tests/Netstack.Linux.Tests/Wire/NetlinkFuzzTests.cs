using System.Net;
using System.Net.NetworkInformation;
using Netstack.Linux.Netlink.Wire;
using Xunit;
using Xunit.Abstractions;

namespace Netstack.Linux.Tests.Wire;

/// <summary>
/// Netlink replies and events as the kernel (or something pretending to be it) could send them:
/// link, address, neighbour, FDB and route messages built by our encoders, then truncated, bit-
/// flipped, with lengths forged, glued together, or random bytes. Every datagram goes through the
/// message reader and the decoder of its type, as the event stream and the dump readers do. Each
/// must decode or fail with a <see cref="NetlinkException"/> — nothing else escapes — and no input
/// allocates more than a bounded amount. <c>NETSTACK_FUZZ_ITERATIONS</c> raises the count.
/// </summary>
public sealed class NetlinkFuzzTests(ITestOutputHelper output)
{
    private delegate void Build(ref NetlinkWriter writer);

    private static int Iterations => int.TryParse(Environment.GetEnvironmentVariable("NETSTACK_FUZZ_ITERATIONS"), out var n) && n > 0 ? n : 20_000;

    [Fact]
    public void MutatedReplies_DecodeOrFailWithNetlinkException()
    {
        var seeds = Seeds();
        var random = new Random(20261205);
        int decoded = 0, refused = 0;
        for (var i = 0; i < Iterations; i++)
        {
            var datagram = Mutate(random, seeds);
            var before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                decoded += DecodeAll(datagram);
            }
            catch (NetlinkException)
            {
                refused++;
            }
            catch (Exception e)
            {
                Assert.Fail($"{e.GetType().Name} decoding {Convert.ToHexStringLower(datagram)}: {e}");
            }
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < 64 * 1024 + 64L * datagram.Length, $"{allocated} bytes allocated for a {datagram.Length}-byte datagram {Convert.ToHexStringLower(datagram)}");
        }
        output.WriteLine($"{Iterations} datagrams: {decoded} messages decoded, {refused} datagrams refused");
        Assert.True(decoded > 0 && refused > 0, "the mutations reach both outcomes");
    }

    /// <summary>Reads every message of the datagram and decodes it as the daemon would; returns how many decoded.</summary>
    private static int DecodeAll(byte[] datagram)
    {
        var count = 0;
        var reader = new NetlinkMessageReader(datagram);
        while (reader.TryRead(out var message))
        {
            switch (message.Type)
            {
                case Nl.RTM_NEWROUTE or Nl.RTM_DELROUTE:
                    _ = RouteCodec.Parse(message.Payload);
                    break;
                case Nl.RTM_NEWNEIGH or Nl.RTM_DELNEIGH or Nl.RTM_GETNEIGH:
                    _ = NetlinkEventStream.Decode(message);
                    _ = NeighbourCodec.ParseFdb(message.Payload);
                    break;
                case Nl.NLMSG_ERROR:
                    _ = message.ErrorCode;
                    _ = message.ExtendedAckMessage();
                    break;
                default:
                    _ = NetlinkEventStream.Decode(message);
                    break;
            }
            count++;
        }
        return count;
    }

    private static byte[] Mutate(Random random, List<byte[]> seeds)
    {
        var seed = seeds[random.Next(seeds.Count)];
        switch (random.Next(8))
        {
            case 0:
                return seed[..random.Next(seed.Length + 1)];
            case 1:
            {
                var copy = (byte[])seed.Clone();
                for (var flips = random.Next(1, 6); flips > 0; flips--)
                {
                    copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
                }
                return copy;
            }
            case 2:
            {
                // A forged length: of the message, or of one attribute inside it.
                var copy = (byte[])seed.Clone();
                var at = random.Next(2) == 0 ? 0 : 16 + (random.Next(Math.Max(1, copy.Length - 18)) & ~3);
                var value = random.Next(4) switch { 0 => 0, 1 => 3, 2 => 0xffff, _ => random.Next(0, copy.Length + 40) };
                if (at + 1 < copy.Length)
                {
                    copy[at] = (byte)value;
                    copy[at + 1] = (byte)(value >> 8);
                }
                return copy;
            }
            case 3:
                return [.. seed, .. seeds[random.Next(seeds.Count)]];
            case 6 when random.Next(2) == 0:
            {
                // An error whose echoed request claims any length.
                var copy = (byte[])seeds[^1].Clone();
                var claimed = random.Next(4) == 0 ? -random.Next() : random.Next(0, 200);
                BitConverter.TryWriteBytes(copy.AsSpan(20), claimed);
                return copy;
            }
            case 4:
            {
                var bytes = new byte[random.Next(0, 200)];
                random.NextBytes(bytes);
                return bytes;
            }
            case 5:
            {
                // A valid header claiming a type and a payload of random bytes.
                var payload = new byte[random.Next(0, 120)];
                random.NextBytes(payload);
                var length = 16 + payload.Length;
                var type = new ushort[] { Nl.RTM_NEWLINK, Nl.RTM_NEWADDR, Nl.RTM_NEWNEIGH, Nl.RTM_GETNEIGH, Nl.RTM_NEWROUTE, Nl.NLMSG_ERROR }[random.Next(6)];
                return [(byte)length, (byte)(length >> 8), 0, 0, (byte)type, (byte)(type >> 8), 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, .. payload];
            }
            default:
                return seed;
        }
    }

    private static List<byte[]> Seeds()
    {
        var mac = PhysicalAddress.Parse("02-42-0a-00-00-02");
        var builds = new Build[]
        {
            (ref NetlinkWriter w) => LinkCodec.NewLink(ref w, 1, new BridgeSpec("br-x") { Mtu = 1450, Up = true }, default),
            (ref NetlinkWriter w) => LinkCodec.NewLink(ref w, 2, new VxlanSpec("vx1", 42) { Port = 4789, Local = IPAddress.Parse("10.0.0.1"), Learning = false, Proxy = true, L2Miss = true, L3Miss = true }, default),
            (ref NetlinkWriter w) => LinkCodec.NewLink(ref w, 3, new VethSpec("vc", "vd"), default),
            (ref NetlinkWriter w) => LinkCodec.NewLink(ref w, 4, new MacvlanSpec("mv0", 5, MacvlanMode.Bridge), new LinkReferences(ParentIndex: 5)),
            (ref NetlinkWriter w) => AddressCodec.Write(ref w, 5, true, 2, InterfaceAddress.Parse("10.1.2.3/24")),
            (ref NetlinkWriter w) => AddressCodec.Write(ref w, 6, true, 2, InterfaceAddress.Parse("fd00::1/64")),
            (ref NetlinkWriter w) => NeighbourCodec.WriteNeighbour(ref w, 7, Nl.RTM_NEWNEIGH, 0, 2, new NeighbourSpec(2, IPAddress.Parse("10.1.2.4"), mac)),
            (ref NetlinkWriter w) => NeighbourCodec.WriteNeighbour(ref w, 8, Nl.RTM_NEWNEIGH, 0, 2, new NeighbourSpec(2, IPAddress.Parse("fd00::4"), mac)),
            (ref NetlinkWriter w) => NeighbourCodec.WriteFdb(ref w, 9, Nl.RTM_NEWNEIGH, 0, 3, mac, IPAddress.Parse("192.168.0.2")),
            (ref NetlinkWriter w) => RouteCodec.Write(ref w, 10, Nl.RTM_NEWROUTE, 0, RouteSpec.DefaultVia(IPAddress.Parse("10.0.0.1")), 3),
            (ref NetlinkWriter w) => RouteCodec.Write(ref w, 11, Nl.RTM_NEWROUTE, 0, new RouteSpec { Destination = IPNetwork.Parse("fd00:1::/64"), Device = 2, Table = 1000 }, 2),
        };
        var seeds = new List<byte[]>();
        foreach (var build in builds)
        {
            var buffer = new byte[1024];
            var writer = new NetlinkWriter(buffer);
            build(ref writer);
            seeds.Add(writer.Written.ToArray());
        }
        // An error with an extended ack, as netlink_ack() lays it out.
        seeds.Add(Convert.FromHexString("30000000020000030500000099000000efffffff200000001000050605000000000000000b0001006578697374730000"));
        return seeds;
    }
}
