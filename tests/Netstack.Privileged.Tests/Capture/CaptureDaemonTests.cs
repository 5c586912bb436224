using System.Net;
using System.Net.Sockets;
using Netstack.Api.Client;
using Netstack.Api.Contracts.Capture;
using Netstack.Api.Contracts.Networks;
using Netstack.Api.Contracts.Sandboxes;
using Netstack.Linux;
using Netstack.Privileged.Tests.Api;
using Netstack.TestKit;
using Netstack.TestKit.Dns;
using Xunit;
using Xunit.Abstractions;

namespace Netstack.Privileged.Tests.Capture;

/// <summary>
/// <c>netstack debug capture</c> against a real netstackd on a namespace host: traffic made by the
/// test (ping, a UDP datagram, a DNS query to a stub server, a TCP connect) between two sandboxes
/// of a bridge network is captured in a sandbox and on the bridge, decoded with the sandboxes'
/// names, and the frames, written to a pcap file, are read back by tshark and compared field by
/// field with our decode. Ending a capture (count, client gone, bad input) leaves no packet socket
/// in the namespace: the kernel's own list (<c>/proc/net/packet</c>) is what is checked.
/// </summary>
public sealed class CaptureDaemonTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [PrivilegedFact]
    public async Task SandboxCapture_PingUdpDnsTcp_DecodedWithNames_PcapAgreesWithTshark_NothingLeftAfterClientGoes()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        using var client = daemon.Client();
        var (sa, sb) = await TwoSandboxesAsync(client);
        using var nsA = NetworkNamespace.Open(sa.Key);
        using var nsB = NetworkNamespace.Open(sb.Key);
        await using var dns = StubDnsServer.InNamespace(nsB, IPAddress.Parse(sb.Ip), StubDnsServer.Answering("10.20.0.99"));
        using var listener = nsB.Run(() =>
        {
            var l = new TcpListener(IPAddress.Parse(sb.Ip), 8080);
            l.Start();
            return l;
        });

        using var timeout = new CancellationTokenSource(Wait);
        var reader = await client.CaptureAsync(new CaptureRequest { Target = "sa", Raw = true, Decode = true }, timeout.Token);
        var capture = new Collected();
        try
        {
            // The interface records come once libpcap has the socket open and filtered: from here on nothing is missed.
            var first = await reader.ReadAsync(timeout.Token);
            var iface = Assert.IsType<CaptureEvent>(first).Interface;
            Assert.NotNull(iface);
            Assert.Equal("eth0", iface.Name);
            Assert.Equal(1, iface.LinkType);
            capture.Interfaces.Add(iface);
            Assert.True(PacketSockets(sa.Key) > 0, "no packet socket in sa while capturing");

            Assert.True(NetstackdProcess.Ping(sa.Key, sb.Ip), "sa could not ping sb");
            using (var udp = nsA.Run(() => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp)))
            {
                udp.SendTo("hello"u8, new IPEndPoint(IPAddress.Parse(sb.Ip), 5000));
            }
            var lookup = TestNamespace.TryRun("nsenter", "--net=" + sa.Key, "busybox", "nslookup", "web.test", sb.Ip);
            Assert.True(lookup.ExitCode == 0 && lookup.Output.Contains("10.20.0.99", StringComparison.Ordinal), $"nslookup: {lookup.Output}{lookup.Error}");
            using (var tcp = nsA.Run(() => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)))
            {
                await tcp.ConnectAsync(IPAddress.Parse(sb.Ip), 8080, timeout.Token);
                using var accepted = await listener.AcceptSocketAsync(timeout.Token);
            }

            string S(string who) => who == "sa" ? $"{sa.Ip}" : $"{sb.Ip}";
            await capture.UntilAsync(reader, p =>
                p.Any(x => x.Summary.Contains($"IP {S("sa")} (sa) > {S("sb")} (sb): ICMP echo request", StringComparison.Ordinal)) &&
                p.Any(x => x.Summary.Contains($"IP {S("sb")} (sb) > {S("sa")} (sa): ICMP echo reply", StringComparison.Ordinal)) &&
                p.Any(x => x.Summary.Contains($" > {S("sb")}.5000 (sb): UDP, length 5", StringComparison.Ordinal)) &&
                p.Any(x => x.Summary.Contains("DNS query", StringComparison.Ordinal) && x.Summary.Contains("A? web.test", StringComparison.Ordinal)) &&
                p.Any(x => x.Summary.Contains("DNS response", StringComparison.Ordinal) && x.Summary.Contains("A 10.20.0.99", StringComparison.Ordinal)) &&
                p.Any(x => x.Summary.Contains($" > {S("sb")}.8080 (sb): Flags [S], seq", StringComparison.Ordinal)) &&
                p.Any(x => x.Summary.Contains($"{S("sb")}.8080 (sb) > ", StringComparison.Ordinal) && x.Summary.Contains("Flags [S.], seq", StringComparison.Ordinal)),
                timeout.Token);
        }
        finally
        {
            // The client goes away: the daemon must close its capture.
            reader.Dispose();
        }
        foreach (var line in capture.Packets.Select(p => p.Summary))
        {
            output.WriteLine(line);
        }

        // Fields of the decoded SYN: the daemon's decode carries them for scripts (--json).
        var syn = capture.Packets.First(p => p.Summary.Contains("Flags [S],", StringComparison.Ordinal));
        var tcpLayer = syn.Layers.Single(l => l.Protocol == "tcp");
        Assert.Equal("0x002", tcpLayer.Fields["tcp.flags"]);
        Assert.Equal("8080", tcpLayer.Fields["tcp.dstport"]);
        Assert.Equal("sa", syn.Layers.Single(l => l.Protocol == "ip").Fields["ip.src.name"]);

        await UntilAsync(() => PacketSockets(sa.Key) == 0, "the daemon closes its packet socket in sa after the client went away");
        CompareWithTshark(capture, "sandbox");
    }

    [PrivilegedFact]
    public async Task Cli_NetworkCaptureOnBridge_CountJsonAndPcap_StopsAtTheCount()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        using var client = daemon.Client();
        var (sa, sb) = await TwoSandboxesAsync(client);
        var file = Path.Combine(daemon.Directory, "bridge.pcap");

        // The CLI in-process, with pings going until it has its count (no timing: pings stop when it returns).
        var text = await WhilePingingAsync(sa, sb, () => daemon.NetstackAsync("debug", "capture", "network:web", "--filter", "icmp", "-c", "4"));
        Assert.True(text.Exit == 0, text.Err);
        var lines = text.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.All(lines, l => Assert.Matches(@"^\d\d:\d\d:\d\d\.\d{6} IP 10\.20\.0\.\d+ \(s[ab]\) > 10\.20\.0\.\d+ \(s[ab]\): ICMP echo (request|reply), id \d+, seq \d+, length 64$", l));
        Assert.Contains("capturing on br-", text.Err, StringComparison.Ordinal);
        Assert.Contains("4 packets captured", text.Err, StringComparison.Ordinal);

        var json = await WhilePingingAsync(sa, sb, () => daemon.NetstackAsync("debug", "capture", "sb", "--filter", "icmp", "-c", "2", "--json"));
        Assert.True(json.Exit == 0, json.Err);
        var objects = json.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => System.Text.Json.JsonSerializer.Deserialize(l, Netstack.Api.Serialization.CaptureJsonContext.Default.CapturePacket)!).ToList();
        Assert.Equal(2, objects.Count);
        Assert.All(objects, o => Assert.Equal("1", o.Layers.Single(l => l.Protocol == "ip").Fields["ip.proto"]));

        var write = await WhilePingingAsync(sa, sb, () => daemon.NetstackAsync("debug", "capture", "network:web", "-c", "6", "--filter", "icmp", "-w", file));
        Assert.True(write.Exit == 0, write.Err);
        Assert.Equal("", write.Out);
        var theirs = Tshark.Read(file);
        Assert.Equal(6, theirs.Count);
        Assert.All(theirs, p => Assert.Equal(["1"], p["ip.proto"]));
        Assert.All(theirs, p => Assert.Contains(p["ip.src"][0], new[] { sa.Ip, sb.Ip }));

        Assert.Equal(0, PacketSockets(daemon.Host.Namespace.Path));
    }

    [PrivilegedFact]
    public async Task BadInput_4xxNamingFieldAndValue_NoCaptureLeftRunning()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        using var client = daemon.Client();
        var (sa, _) = await TwoSandboxesAsync(client);

        var unknown = await Assert.ThrowsAsync<ApiException>(() => client.CaptureAsync(new CaptureRequest { Target = "nosuch" }));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("\"nosuch\"", unknown.Message, StringComparison.Ordinal);

        var network = await Assert.ThrowsAsync<ApiException>(() => client.CaptureAsync(new CaptureRequest { Target = "network:nosuch" }));
        Assert.Equal(HttpStatusCode.NotFound, network.StatusCode);
        Assert.Contains("nosuch", network.Message, StringComparison.Ordinal);

        var bpf = await Assert.ThrowsAsync<ApiException>(() => client.CaptureAsync(new CaptureRequest { Target = "sa", Filter = "icmp and and" }));
        Assert.Equal(HttpStatusCode.BadRequest, bpf.StatusCode);
        Assert.Contains("invalid filter \"icmp and and\"", bpf.Message, StringComparison.Ordinal);

        var zero = await Assert.ThrowsAsync<ApiException>(() => client.CaptureAsync(new CaptureRequest { Target = "sa", Count = 0 }));
        Assert.Equal(HttpStatusCode.BadRequest, zero.StatusCode);
        Assert.Contains("invalid count \"0\"", zero.Message, StringComparison.Ordinal);

        var duration = await Assert.ThrowsAsync<ApiException>(() => client.CaptureAsync(new CaptureRequest { Target = "sa", DurationSeconds = -1 }));
        Assert.Equal(HttpStatusCode.BadRequest, duration.StatusCode);
        Assert.Contains("invalid duration \"-1\"", duration.Message, StringComparison.Ordinal);

        var underlay = await Assert.ThrowsAsync<ApiException>(() => client.CaptureAsync(new CaptureRequest { Target = "underlay" }));
        Assert.Equal(HttpStatusCode.BadRequest, underlay.StatusCode);
        Assert.Contains("--advertise-addr", underlay.Message, StringComparison.Ordinal);

        // Through the CLI: the same answers, and a file that cannot be written fails before anything starts.
        var cliZero = await daemon.NetstackAsync("debug", "capture", "sa", "-c", "0");
        Assert.Equal(1, cliZero.Exit);
        Assert.Contains("Error response from daemon: invalid count \"0\"", cliZero.Err, StringComparison.Ordinal);
        var cliFilter = await daemon.NetstackAsync("debug", "capture", "sa", "--filter", "port 99999");
        Assert.Equal(1, cliFilter.Exit);
        Assert.Contains("invalid filter \"port 99999\"", cliFilter.Err, StringComparison.Ordinal);
        var unwritable = await daemon.NetstackAsync("debug", "capture", "sa", "-c", "1", "-w", "/nonexistent-dir/x.pcap");
        Assert.Equal(1, unwritable.Exit);
        Assert.Contains("invalid -w/--write \"/nonexistent-dir/x.pcap\"", unwritable.Err, StringComparison.Ordinal);
        var badDuration = await daemon.NetstackAsync("debug", "capture", "sa", "--duration", "soon");
        Assert.Equal(1, badDuration.Exit);
        Assert.Contains("invalid --duration \"soon\"", badDuration.Err, StringComparison.Ordinal);
        // A refused capture's file is not left behind.
        var refusedFile = Path.Combine(daemon.Directory, "refused.pcap");
        var refused = await daemon.NetstackAsync("debug", "capture", "nosuch", "-w", refusedFile);
        Assert.Equal(1, refused.Exit);
        Assert.False(File.Exists(refusedFile));

        Assert.Equal(0, PacketSockets(sa.Key));
        Assert.Equal(0, PacketSockets(daemon.Host.Namespace.Path));

        // A capture that ends on --duration with nothing sent: an end record, then the socket is gone.
        var quiet = await daemon.NetstackAsync("debug", "capture", "sa", "--filter", "udp port 9", "--duration", "300ms");
        Assert.True(quiet.Exit == 0, quiet.Err);
        Assert.Contains("0 packets captured", quiet.Err, StringComparison.Ordinal);
        Assert.Equal(0, PacketSockets(sa.Key));
    }

    // ---- helpers

    internal sealed record Box(string Name, string Key, string Ip);

    internal static async Task<(Box A, Box B)> TwoSandboxesAsync(ApiClient client)
    {
        await client.CreateNetworkAsync(new NetworkCreateRequest
        {
            Name = "web",
            Driver = "bridge",
            Ipam = new IpamSettings { Config = [new IpamPoolConfig { Subnet = "10.20.0.0/24" }] },
        });
        var boxes = new List<Box>();
        foreach (var name in new[] { "sa", "sb" })
        {
            await client.CreateSandboxAsync(new SandboxCreateRequest { Name = name });
            await client.ConnectNetworkAsync("web", new NetworkConnectRequest { Container = name });
            var sandbox = (await client.ListSandboxesAsync()).Single(s => s.Name == name);
            boxes.Add(new Box(name, sandbox.Key, sandbox.Endpoints.Single().IPv4Address.Split('/')[0]));
        }
        return (boxes[0], boxes[1]);
    }

    /// <summary>Runs <paramref name="cli"/> while sa pings sb once a round, until the CLI returns.</summary>
    internal static async Task<T> WhilePingingAsync<T>(Box from, Box to, Func<Task<T>> cli)
    {
        using var stop = new CancellationTokenSource();
        var pings = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                NetstackdProcess.Ping(from.Key, to.Ip);
            }
        });
        try
        {
            return await cli().WaitAsync(Wait);
        }
        finally
        {
            await stop.CancelAsync();
            await pings;
        }
    }

    /// <summary>AF_PACKET sockets open in a namespace, from the kernel's list (one line per socket after the header).</summary>
    internal static int PacketSockets(string namespacePath)
    {
        var text = TestNamespace.Run("nsenter", "--net=" + namespacePath, "cat", "/proc/net/packet");
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1;
    }

    internal static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"timed out waiting until {what}");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>Writes the raw frames to a pcap file, has tshark dissect it, and compares every field of every packet with ours.</summary>
    internal void CompareWithTshark(Collected capture, string what, params string[] tsharkArgs)
    {
        var path = Path.Combine("/tmp", $"nst-capture-{Guid.NewGuid():N}.pcap");
        try
        {
            var interfaces = capture.Interfaces.Select(i => new PcapInterface(i.LinkType, i.Snaplen, i.Name)).ToList();
            // A batch's raw frames come before its decoded packets: frames past the last packet read
            // are those of packets not read yet.
            Assert.True(capture.Frames.Count >= capture.Packets.Count, $"{capture.Frames.Count} frames for {capture.Packets.Count} packets");
            using (var writer = new PcapFileWriter(File.Create(path), interfaces))
            {
                foreach (var frame in capture.Frames.Take(capture.Packets.Count))
                {
                    writer.Write(frame.Interface, frame.TimestampMicroseconds, frame.WireLength, frame.Data.Span);
                }
            }
            var theirs = Tshark.Read(path, tsharkArgs);
            Assert.Equal(capture.Packets.Count, theirs.Count);
            var compared = 0;
            for (var i = 0; i < theirs.Count; i++)
            {
                var ours = new Dictionary<string, List<string>>(StringComparer.Ordinal);
                foreach (var layer in capture.Packets[i].Layers)
                {
                    foreach (var (key, value) in layer.Fields)
                    {
                        if (!ours.TryGetValue(key, out var list))
                        {
                            ours[key] = list = [];
                        }
                        list.AddRange(key == "dns.a" ? value.Split(',') : [value]);
                    }
                }
                var (differences, count) = Tshark.Compare(ours, theirs[i]);
                compared += count;
                Assert.True(differences.Count == 0, $"{what} packet {i} ({capture.Packets[i].Summary}):\n" + string.Join("\n", differences));
            }
            output.WriteLine($"{what}: tshark agrees on {compared} field values of {theirs.Count} packets");
            Assert.True(compared >= theirs.Count * 5, $"only {compared} values compared");
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// What a capture stream carried: its interfaces, raw frames and decoded packets (one of each per
    /// packet, in order; a batch's raw frames come before its decoded packets, so the frames may run ahead).
    /// </summary>
    internal sealed class Collected
    {
        public List<CaptureInterfaceInfo> Interfaces { get; } = [];

        public List<CaptureFrame> Frames { get; } = [];

        public List<CapturePacket> Packets { get; } = [];

        public CaptureEnd? End { get; private set; }

        /// <summary>Reads records until <paramref name="done"/> holds for the decoded packets, or the stream ends.</summary>
        public async Task UntilAsync(CaptureStreamReader reader, Func<List<CapturePacket>, bool> done, CancellationToken ct)
        {
            while (!done(Packets))
            {
                var record = await reader.ReadAsync(ct);
                switch (record)
                {
                    case null:
                        return;
                    case CaptureEvent { Interface: { } i }:
                        Interfaces.Add(i);
                        break;
                    case CaptureEvent { Packet: { } p }:
                        Packets.Add(p);
                        break;
                    case CaptureEvent { End: { } e }:
                        End = e;
                        break;
                    case CaptureBatchRecord b:
                        Frames.AddRange(b.Frames());
                        break;
                }
            }
        }
    }
}
