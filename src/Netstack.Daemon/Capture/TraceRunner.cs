using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Netstack.Api.Contracts.Capture;
using Netstack.Capture.Sessions;
using Netstack.Capture.Trace;
using Netstack.Controller;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Linux;

namespace Netstack.Daemon.Capture;

/// <summary>
/// <c>POST /debug/trace</c>: sends one probe (an ICMP echo, or a TCP SYN) from inside a container's
/// sandbox and captures it at every hop netstack owns on this host, in path order: the source's
/// interface, its network's devices (the bridge, or an overlay's br0 and VXLAN device), the
/// underlay (overlay networks of a daemon with an advertise address), and the destination's
/// interface when the destination is a container here. Each hop is its own capture, so one that
/// cannot be opened (an interface that is gone) is reported and the others still listen. The
/// answer says where the request was last seen, whether the reply came, and where to look first.
/// A destination on another node of an overlay network is traced there too: that node captures its
/// underlay, VXLAN device, br0 and the destination's interface for the probe (<see cref="RemoteTrace"/>)
/// and its hops follow this host's in the path. A destination elsewhere is traced to this host's
/// last hop (the answer says so).
/// </summary>
internal sealed class TraceRunner(INetworkController controller, CaptureTargets targets, RemoteTrace remote, IEnumerable<INetworkDriver> drivers, ILogger<TraceRunner> logger)
{
    private const double DefaultTimeoutSeconds = 2;
    private const double MaxTimeoutSeconds = 30;
    // After the reply (or the time-out) the captures listen this much longer: a block of the
    // kernel's ring, or a reply on its way through the last hops, is not missed.
    private static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(300);

    public async Task<TraceResult> RunAsync(TraceRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        Validate(request);
        SandboxInfo sandbox;
        try
        {
            sandbox = await controller.GetSandboxAsync(request.Container, ct).ConfigureAwait(false);
        }
        catch (NotFoundException)
        {
            throw new NotFoundException("container", request.Container, "give a container's or sandbox's name or id");
        }
        var endpoints = await controller.ListEndpointsAsync(null, ct).ConfigureAwait(false);
        var (destination, destinationName) = ResolveDestination(request.Destination, endpoints);
        var source = sandbox.Endpoints.FirstOrDefault(e => e.IPv4Address is { } a && a.Network.Contains(destination))
            ?? sandbox.Endpoints.FirstOrDefault(e => e.IPv4Address is not null && e.Gateway is not null)
            ?? throw new ConflictException($"{sandbox.Name} has no IPv4 interface that reaches {destination}: connect it to a network first");
        var sourceAddress = source.IPv4Address!.Value;
        var sameSubnet = sourceAddress.Network.Contains(destination);
        var nextHop = sameSubnet ? destination : source.Gateway;
        var target = endpoints.FirstOrDefault(e => e.IPv4Address is { } a && a.Address.Equals(destination) && e.SandboxKey.Length > 0);

        var boundaries = new Dictionary<string, string>(StringComparer.Ordinal);
        var hops = await PlanHopsAsync(sandbox, source, target, boundaries, ct).ConfigureAwait(false);
        var result = new TraceResult
        {
            Container = sandbox.Name,
            Source = sourceAddress.Address.ToString(),
            Destination = destination.ToString(),
            DestinationName = destinationName ?? (target is null ? null : Named(target)),
        };

        var icmpId = (ushort)Random.Shared.Next(1, ushort.MaxValue);
        Socket? tcp = null;
        using var ns = NetworkNamespace.Open(sandbox.Key);
        ushort? tcpSource = null;
        if (request.TcpPort is { } port)
        {
            // Bound before the captures start, so the matcher knows the SYN's source port.
            tcp = ns.Run(() =>
            {
                var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                s.Bind(new IPEndPoint(sourceAddress.Address, 0));
                return s;
            });
            tcpSource = (ushort)((IPEndPoint)tcp.LocalEndPoint!).Port;
            result.Probe = string.Create(CultureInfo.InvariantCulture, $"tcp syn {sourceAddress.Address}:{tcpSource} > {destination}:{port}");
        }
        else
        {
            result.Probe = string.Create(CultureInfo.InvariantCulture, $"icmp echo {sourceAddress.Address} > {destination}, id 0x{icmpId:x4}");
        }
        var matcher = new ProbeMatcher(sourceAddress.Address, destination, icmpId, tcpSource, (ushort)(request.TcpPort ?? 0), nextHop, targets.VxlanPortNumber);

        HopCaptures? captures = null;
        RemoteListening? far = null;
        var timeout = TimeSpan.FromSeconds(request.TimeoutSeconds ?? DefaultTimeoutSeconds);
        try
        {
            captures = await HopCaptures.OpenAsync(hops, matcher, null, ct).ConfigureAwait(false);
            result.Notes.AddRange(captures.Notes);
            if (target is null)
            {
                far = await ListenFarAsync(source, destination, matcher, timeout, result, ct).ConfigureAwait(false);
            }

            var clock = Stopwatch.StartNew();
            if (tcp is not null)
            {
                result.TcpAnswer = await ConnectAsync(tcp, new IPEndPoint(destination, request.TcpPort!.Value), timeout, ct).ConfigureAwait(false);
                result.ReplyReceived = result.TcpAnswer is not null;
            }
            else
            {
                result.ReplyReceived = await PingAsync(ns, destination, icmpId, timeout, ct).ConfigureAwait(false);
            }
            if (result.ReplyReceived)
            {
                result.RoundTripMilliseconds = Math.Round(clock.Elapsed.TotalMilliseconds, 3);
            }
            await Task.Delay(Grace, ct).ConfigureAwait(false);
        }
        finally
        {
            tcp?.Dispose();
            if (captures is not null)
            {
                await captures.FinishAsync().ConfigureAwait(false);
                result.Hops.AddRange(captures.Hops);
            }
            if (far is not null)
            {
                // The far side's hops follow ours: the request leaves our underlay and enters theirs.
                var seen = await remote.StopAsync(far, result.Notes, CancellationToken.None).ConfigureAwait(false);
                result.Hops.AddRange(seen?.Hops ?? far.Hops.Select(h => new TraceHop
                {
                    Interface = h.Interface, Role = h.Role, Node = h.Node, Namespace = h.Namespace, LinkState = h.LinkState,
                    Error = h.Error ?? "its counts did not come back",
                }));
                result.Notes.AddRange(seen?.Notes ?? []);
            }
        }
        Judge(result, destination, nextHop, boundaries);
        CaptureLog.Traced(logger, result.Container, result.Probe, result.Verdict);
        return result;
    }

    /// <summary>
    /// For a destination that is not here: on an overlay network, asks the network's other nodes
    /// to capture for the probe; the one that has the destination listens. Null (and a note saying
    /// what is not captured) otherwise.
    /// </summary>
    private async Task<RemoteListening?> ListenFarAsync(EndpointInfo source, IPAddress destination, ProbeMatcher matcher, TimeSpan timeout, TraceResult result, CancellationToken ct)
    {
        var network = await controller.GetNetworkAsync(source.NetworkId, ct).ConfigureAwait(false);
        var beyond = $"{destination} is not a container of this host: hops beyond this host are not captured";
        if (network.Driver != "overlay" || !network.Ipam.Pools.Any(p => p.Subnet.Contains(destination)))
        {
            result.Notes.Add(beyond + " (run `netstack debug capture` on the host that has it)");
            return null;
        }
        if (remote.NodeName is not { } self)
        {
            result.Notes.Add(beyond + ": this daemon has no gossip (start it with --advertise-addr) to ask the other nodes");
            return null;
        }
        var peers = drivers.OfType<INetworkPeers>().SelectMany(p => p.GetPeers(network.Id)).Select(p => p.Node).Where(n => n != self).Distinct().ToList();
        if (peers.Count == 0)
        {
            result.Notes.Add(beyond + $": no other node has an endpoint on {network.Name}");
            return null;
        }
        var far = await remote.ListenAsync(peers, new RemoteTraceMessage
        {
            Id = Guid.NewGuid().ToString("N"),
            NetworkId = network.Id,
            Source = source.IPv4Address!.Value.Address.ToString(),
            Destination = destination.ToString(),
            IcmpId = matcher.IcmpId,
            TcpSourcePort = matcher.TcpSourcePort,
            TcpPort = matcher.TcpPort,
            // The probe's timeout, our grace, and the time the answers take: the far side stops by
            // itself after this even if our stop never comes.
            Seconds = Math.Min(RemoteTrace.MaxSeconds, timeout.TotalSeconds + 5),
        }, result.Notes, ct).ConfigureAwait(false);
        if (far is null)
        {
            result.Notes.Add(beyond + $": no node of {network.Name} ({string.Join(", ", peers)}) said it has it");
        }
        return far;
    }

    /// <summary>The network's devices on this host, named with the network (two networks' bridges are both "bridge").</summary>
    private List<CapturePoint> OfNetwork(NetworkInfo network) =>
        targets.NetworkPoints(network).Select(p => p with { Role = $"{p.Role} of {network.Name}" }).ToList();

    private static string Named(EndpointInfo endpoint) => endpoint.SandboxName.Length > 0 ? endpoint.SandboxName : endpoint.Name;

    private static void Validate(TraceRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Container))
        {
            throw new InvalidParameterException("container", request.Container, "name the container or sandbox the probe leaves from");
        }
        if (string.IsNullOrWhiteSpace(request.Destination))
        {
            throw new InvalidParameterException("destination", request.Destination, "give an IPv4 address or a container's name");
        }
        if (request.TcpPort is { } port && port is < 1 or > 65535)
        {
            throw new InvalidParameterException("tcp", port.ToString(CultureInfo.InvariantCulture), "a TCP port is 1 to 65535");
        }
        if (request.TimeoutSeconds is { } t && !(t > 0 && t <= MaxTimeoutSeconds))
        {
            throw new InvalidParameterException("timeout", t.ToString(CultureInfo.InvariantCulture), $"must be more than 0 and at most {MaxTimeoutSeconds} seconds");
        }
    }

    private static (IPAddress Address, string? Name) ResolveDestination(string text, IReadOnlyList<EndpointInfo> endpoints)
    {
        var value = text.Trim();
        if (IPAddress.TryParse(value, out var address))
        {
            return address.AddressFamily == AddressFamily.InterNetwork
                ? (address, null)
                : throw new InvalidParameterException("destination", text, "a trace probes IPv4 addresses; give an IPv4 address or a container's name");
        }
        var named = endpoints.FirstOrDefault(e => e.IPv4Address is not null && (e.SandboxName == value || e.Name == value || e.Aliases.Contains(value)));
        return named is not null
            ? (named.IPv4Address!.Value.Address, Named(named))
            : throw new InvalidParameterException("destination", text, "it is neither an IPv4 address nor a container this daemon knows");
    }

    /// <summary>The hops in path order, each with the kernel filter that keeps only what the probe may look like there.</summary>
    private async Task<List<(CapturePoint Point, string Filter)>> PlanHopsAsync(SandboxInfo sandbox, EndpointInfo source, EndpointInfo? target, Dictionary<string, string> boundaries, CancellationToken ct)
    {
        const string Local = "icmp or arp or tcp";
        var hops = new List<(CapturePoint, string)>
        {
            (new CapturePoint { NamespacePath = sandbox.Key, InterfaceName = source.InterfaceName, Role = $"{source.InterfaceName} of {sandbox.Name} on {source.NetworkName}" }, Local),
        };
        var network = await controller.GetNetworkAsync(source.NetworkId, ct).ConfigureAwait(false);
        hops.AddRange(OfNetwork(network).Select(p => (p, Local)));
        if (network.Driver == "overlay" && targets.UnderlayPlanOrNull() is { } underlay)
        {
            hops.AddRange(underlay.Points.Select(p => (p, underlay.BaseFilter ?? "udp")));
        }
        if (target is not null)
        {
            if (target.NetworkId != source.NetworkId)
            {
                var other = await controller.GetNetworkAsync(target.NetworkId, ct).ConfigureAwait(false);
                var entry = OfNetwork(other);
                if (entry.Count > 0)
                {
                    // The packet crosses from one network to another here: what stops it at this hop is,
                    // before anything else, the isolation between networks (Docker's behaviour).
                    boundaries[entry[0].Role] = $"; {sandbox.Name} is on {network.Name} and {Named(target)} on {other.Name}: traffic between "
                        + $"two networks is dropped by netstack's isolation rules (iptables NETSTACK-ISOLATION-1/2); connect {sandbox.Name} to {other.Name} "
                        + "to reach it";
                }
                hops.AddRange(entry.Select(p => (p, Local)));
            }
            hops.Add((new CapturePoint { NamespacePath = target.SandboxKey, InterfaceName = target.InterfaceName, Role = $"{target.InterfaceName} of {Named(target)} on {target.NetworkName}" }, Local));
        }
        return hops;
    }

    /// <summary>A connect: "open" on a SYN-ACK, "refused" on a RST, null when nothing came back in time.</summary>
    private static async Task<string?> ConnectAsync(Socket socket, IPEndPoint to, TimeSpan timeout, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(to, limit.Token).ConfigureAwait(false);
            return "open";
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return "refused";
        }
        catch (SocketException)
        {
            // Unreachable, no route: no answer from the destination.
            return null;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>One echo request (RFC 792) on a raw ICMP socket made in the sandbox; true when its reply comes in time.</summary>
    private static async Task<bool> PingAsync(NetworkNamespace ns, IPAddress destination, ushort id, TimeSpan timeout, CancellationToken ct)
    {
        using var socket = ns.Run(() => new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Icmp));
        var echo = new byte[8 + 32];
        echo[0] = 8; // echo request
        BinaryPrimitives.WriteUInt16BigEndian(echo.AsSpan(4), id);
        BinaryPrimitives.WriteUInt16BigEndian(echo.AsSpan(6), 1);
        "netstack debug trace probe......"u8.CopyTo(echo.AsSpan(8));
        BinaryPrimitives.WriteUInt16BigEndian(echo.AsSpan(2), Checksum(echo));
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        var buffer = new byte[1500];
        try
        {
            await socket.SendToAsync(echo, new IPEndPoint(destination, 0), limit.Token).ConfigureAwait(false);
            while (true)
            {
                // A raw ICMP socket gets every ICMP packet of the namespace, IPv4 header first.
                var got = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), limit.Token).ConfigureAwait(false);
                var ihl = (buffer[0] & 0x0f) * 4;
                if (got.ReceivedBytes >= ihl + 8 && buffer[ihl] == 0
                    && BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(ihl + 4)) == id
                    && ((IPEndPoint)got.RemoteEndPoint).Address.Equals(destination))
                {
                    return true;
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
        catch (SocketException)
        {
            // No route, network unreachable: the request never left.
            return false;
        }
    }

    // The Internet checksum (RFC 1071): ones' complement of the ones' complement sum of 16-bit words.
    private static ushort Checksum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (var i = 0; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }
        if (data.Length % 2 == 1)
        {
            sum += (uint)data[^1] << 8;
        }
        while (sum >> 16 != 0)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (ushort)~sum;
    }

    /// <summary>Where it stopped: the first captured hop without the request, else the first on the way back without the reply.</summary>
    internal static void Judge(TraceResult result, IPAddress destination, IPAddress? nextHop, IReadOnlyDictionary<string, string>? why = null)
    {
        // A hop that could not be captured (an interface that is gone) counts as one the request did
        // not reach: it is where to look.
        var captured = result.Hops;
        var who = result.DestinationName is { } n ? $"{destination} ({n})" : destination.ToString();
        var missing = captured.FirstOrDefault(h => h.RequestsSeen == 0);
        if (missing is not null)
        {
            result.StoppedAt = missing.Role;
            var index = captured.IndexOf(missing);
            if (index == 0)
            {
                result.Verdict = missing.ArpRequestsSeen > 0 && missing.ArpRepliesSeen == 0
                    ? $"the request never left {result.Container}: nobody answered its ARP requests for {nextHop} (seen {Seen(captured, h => h.ArpRequestsSeen)}); look at {nextHop}'s interface first"
                    : $"the request never left {result.Container} ({missing.Role}{Why(missing)}): look at its routes and firewall first";
            }
            else
            {
                var arp = missing.ArpRequestsSeen == 0 && captured[index - 1].ArpRequestsSeen > 0 ? $" (ARP requests for {nextHop} were not seen there either)" : "";
                var boundary = why is not null && why.TryGetValue(missing.Role, out var w) ? w : "";
                result.Verdict = $"the request was seen at {captured[index - 1].Role} but not at {missing.Role}{arp}{Why(missing)}{boundary}: look there first";
            }
            if (result.ReplyReceived)
            {
                result.Verdict += "; a reply came anyway (by another path)";
            }
            return;
        }
        if (captured.Count == 0)
        {
            result.Verdict = "no hop to capture";
            return;
        }
        // Back from the last hop: the reply passes the hops in reverse order.
        var back = Enumerable.Reverse(captured).ToList();
        var noReply = back.FirstOrDefault(h => h.RepliesSeen == 0);
        if (result.ReplyReceived && noReply is null)
        {
            result.Verdict = $"reached {who} and the reply came back: every hop saw the request and the reply";
            return;
        }
        if (noReply is null)
        {
            result.Verdict = $"every hop saw the request and the reply, but the reply did not reach the probe in {result.Container}";
            return;
        }
        var at = back.IndexOf(noReply);
        result.StoppedAt = noReply.Role;
        result.Verdict = at == 0
            ? $"the request reached {back[0].Role} but no reply came back from {who}{(result.ReplyReceived ? "" : " in time")}: look at {who} first"
            : $"the reply was seen at {back[at - 1].Role} but not at {noReply.Role}: look there first";
    }

    private static string Why(TraceHop hop) => (hop.LinkState, hop.Error) switch
    {
        ("down", _) => "; the interface is down",
        ("no-carrier", _) => "; the interface has no carrier (its peer is down)",
        ("gone", _) => "; the interface is gone",
        (_, { } error) => "; it could not be captured: " + error,
        _ => "",
    };

    private static string Seen(IReadOnlyList<TraceHop> hops, Func<TraceHop, int> count) =>
        string.Join(", ", hops.Where(h => count(h) > 0).Select(h => h.Role)) is { Length: > 0 } s ? "at " + s : "nowhere";
}
