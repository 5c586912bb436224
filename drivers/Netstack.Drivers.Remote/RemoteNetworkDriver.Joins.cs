using System.Net;
using System.Net.Sockets;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Drivers.Remote.Logging;
using Netstack.Drivers.Remote.Protocol;
using Netstack.Linux;

namespace Netstack.Drivers.Remote;

public sealed partial class RemoteNetworkDriver
{
    private const string JoinMethod = "NetworkDriver.Join";

    /// <summary>
    /// <c>NetworkDriver.Join</c>, then the interface the plugin made in the host namespace
    /// (<c>InterfaceName.SrcName</c>) is moved into the sandbox and renamed to
    /// <see cref="JoinRequest.InterfaceName"/> in one netlink request (the name checked free first), with the endpoint's MAC and
    /// down (the controller adds the addresses and brings it up). <c>DstPrefix</c> is not used: the
    /// controller names interfaces. The whole answer is checked before anything moves; any failure
    /// after the call puts the interface back and tells the plugin to leave, so nothing is half-made.
    /// </summary>
    public async Task<JoinResult> JoinAsync(JoinRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!InterfaceName.IsValid(request.InterfaceName))
        {
            throw new InvalidParameterException("interface name", request.InterfaceName, "must be 1..15 bytes without '/', ':' or whitespace");
        }
        var message = new JoinRequestMessage
        {
            NetworkID = request.NetworkId,
            EndpointID = request.EndpointId,
            SandboxKey = request.SandboxKey,
            Options = ToJson(request.Options),
        };
        var leave = new EndpointRequest { NetworkID = request.NetworkId, EndpointID = request.EndpointId };
        JoinResponse answer;
        try
        {
            answer = await CallAsync("Join", message, PluginJsonContext.Default.JoinRequestMessage, PluginJsonContext.Default.JoinResponse, cancellationToken).ConfigureAwait(false);
        }
        catch (NetstackException) when (IsReady)
        {
            // The plugin may have made its interface before failing to answer (it died, it hung).
            await RollbackAsync("Leave", leave, PluginJsonContext.Default.EndpointRequest).ConfigureAwait(false);
            throw;
        }

        JoinResult result;
        string source;
        try
        {
            (result, source) = ReadJoinAnswer(request, answer);
            MoveIntoSandbox(request, source);
        }
        catch
        {
            await RollbackAsync("Leave", leave, PluginJsonContext.Default.EndpointRequest).ConfigureAwait(false);
            throw;
        }
        _joins[request.EndpointId] = new JoinedInterface(request.SandboxKey, request.InterfaceName, source);
        Log.InterfaceMoved(_logger, request.EndpointId, source, request.SandboxKey, request.InterfaceName);
        return result;
    }

    /// <summary>
    /// Moves the interface back to the host under the plugin's name (Docker's sandbox does the same
    /// before the driver's leave), then <c>NetworkDriver.Leave</c>. A sandbox already gone took a veth
    /// with it. Not joined as far as this driver knows: the plugin is asked anyway, a refusal is "already left".
    /// </summary>
    public async Task LeaveAsync(string networkId, string endpointId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(endpointId);
        var known = _joins.TryGetValue(endpointId, out var joined);
        if (joined is not null)
        {
            ReturnToHost(endpointId, joined);
        }
        await TeardownAsync("Leave", new EndpointRequest { NetworkID = networkId, EndpointID = endpointId }, PluginJsonContext.Default.EndpointRequest,
            known, cancellationToken).ConfigureAwait(false);
        _joins.TryRemove(endpointId, out _);
    }

    private (JoinResult Result, string Source) ReadJoinAnswer(JoinRequest request, JoinResponse answer)
    {
        var source = answer.InterfaceName?.SrcName;
        if (string.IsNullOrEmpty(source))
        {
            throw _plugin.Garbage(JoinMethod, "the answer has no \"InterfaceName\": {\"SrcName\": ...} (the interface to move into the sandbox)");
        }
        if (!InterfaceName.IsValid(source))
        {
            throw _plugin.Garbage(JoinMethod, $"\"SrcName\" \"{source}\" is not an interface name");
        }
        var gateway = ParseGateway(answer.Gateway, "Gateway", AddressFamily.InterNetwork);
        var gateway6 = ParseGateway(answer.GatewayIPv6, "GatewayIPv6", AddressFamily.InterNetworkV6);
        var routes = (answer.StaticRoutes ?? []).Select(ParseRoute).ToArray();
        return (new JoinResult
        {
            InterfaceName = request.InterfaceName,
            Gateway = gateway,
            GatewayIPv6 = gateway6,
            StaticRoutes = routes,
            DisableGatewayService = answer.DisableGatewayService,
        }, source);
    }

    private IPAddress? ParseGateway(string? text, string field, AddressFamily family)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        // libnetwork sends gateways bare; accept the CIDR form too (some plugins echo IPv4Data's).
        var bare = text.Split('/')[0];
        if (!IPAddress.TryParse(bare, out var address) || address.AddressFamily != family)
        {
            throw _plugin.Garbage(JoinMethod, $"\"{field}\" \"{text}\" is not an {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address");
        }
        return address;
    }

    private StaticRoute ParseRoute(StaticRouteMessage route, int index)
    {
        var where = $"\"StaticRoutes\"[{index}]";
        if (!IPNetwork.TryParse(route.Destination ?? string.Empty, out var destination))
        {
            if (!CidrAddress.TryParse(route.Destination, out var cidr))
            {
                throw _plugin.Garbage(JoinMethod, $"{where}.Destination \"{route.Destination}\" is not a prefix such as 10.1.0.0/16");
            }
            destination = cidr.Network;
        }
        switch (route.RouteType)
        {
            case 0:
                if (!IPAddress.TryParse(route.NextHop ?? string.Empty, out var next) || next.AddressFamily != destination.BaseAddress.AddressFamily)
                {
                    throw _plugin.Garbage(JoinMethod, $"{where}.NextHop \"{route.NextHop}\" is not an address of the destination's family (RouteType 0 needs one)");
                }
                return new StaticRoute { Destination = destination, NextHop = next };
            case 1:
                return new StaticRoute { Destination = destination };
            default:
                throw _plugin.Garbage(JoinMethod, $"{where}.RouteType is {route.RouteType}, not 0 (next hop) or 1 (connected)");
        }
    }

    /// <summary>The move itself: host link by name, into the sandbox under the new name, MAC set, down. Undone on failure.</summary>
    private void MoveIntoSandbox(JoinRequest request, string source)
    {
        NetworkNamespace sandbox;
        try
        {
            sandbox = NetworkNamespace.Open(request.SandboxKey);
        }
        catch (NetlinkException e)
        {
            throw new NotFoundException("sandbox", request.SandboxKey, e.Message);
        }
        using (sandbox)
        {
            var link = _host.Netlink.LinkFind(source)
                ?? throw _plugin.Garbage(JoinMethod, $"\"SrcName\" is \"{source}\", but {_host.Description} has no such interface");
            using var inside = sandbox.OpenNetlink();
            // The kernel answers a taken name only after moving the link (see LinkSetNamespace): look first.
            if (inside.LinkFind(request.InterfaceName) is not null)
            {
                throw Taken(request);
            }
            try
            {
                _host.Netlink.LinkSetNamespace(link.Index, sandbox, request.InterfaceName);
            }
            catch (NetlinkException e) when (e.Errno == Errno.EEXIST)
            {
                // Taken meanwhile: the link may be in the sandbox under its own name; bring it back.
                if (inside.LinkFind(source) is { } moved)
                {
                    TryMoveBack(inside, moved.Name, source);
                }
                throw Taken(request, e);
            }
            catch (NetlinkException e)
            {
                throw new InternalException($"join endpoint {request.EndpointId}: moving {source} into {request.SandboxKey}: {e.Message}", e);
            }
            try
            {
                // Moving took it down already; say so anyway: the contract is a down interface.
                inside.LinkSetDown(request.InterfaceName);
                if (!string.IsNullOrEmpty(request.MacAddress))
                {
                    var mac = MacAddresses.Parse(request.MacAddress, "mac address");
                    if (!Equals(inside.LinkGet(request.InterfaceName).MacAddress, mac))
                    {
                        inside.LinkSetMacAddress(request.InterfaceName, mac);
                    }
                }
            }
            catch (Exception e) when (e is NetlinkException or InvalidParameterException)
            {
                TryMoveBack(inside, request.InterfaceName, source);
                throw e as NetstackException ?? new InternalException($"join endpoint {request.EndpointId}: configuring {request.InterfaceName} in {request.SandboxKey}: {e.Message}", e);
            }
        }
    }

    private static ConflictException Taken(JoinRequest request, Exception? inner = null) =>
        new($"interface \"{request.InterfaceName}\" already exists in sandbox {request.SandboxKey}", inner);

    private void TryMoveBack(NetlinkHandle inside, string name, string source)
    {
        try
        {
            inside.LinkSetNamespace(name, _hostNamespace, source);
        }
        catch (NetlinkException e)
        {
            Log.RollbackFailed(_logger, Type, $"moving {name} back to the host as {source}", e.Message);
        }
    }

    /// <summary>
    /// Puts a joined interface back in the host namespace under its plugin-given name. After a
    /// restart that name is unknown (and it may be taken on the host meanwhile): a veth is deleted
    /// instead (its host end, the plugin's, goes with it), anything else is moved back under a name
    /// made from the endpoint id.
    /// </summary>
    private void ReturnToHost(string endpointId, JoinedInterface joined)
    {
        if (!File.Exists(joined.SandboxKey))
        {
            return;
        }
        try
        {
            using var sandbox = NetworkNamespace.Open(joined.SandboxKey);
            using var inside = sandbox.OpenNetlink();
            if (inside.LinkFind(joined.InterfaceName) is not { } link)
            {
                return;
            }
            inside.LinkSetDown(link.Index);
            // Only to a free name: the kernel would answer a taken one after the move (see LinkSetNamespace).
            if (joined.SourceName is { } source && _host.Netlink.LinkFind(source) is null)
            {
                inside.LinkSetNamespace(link.Index, _hostNamespace, source);
                Log.InterfaceReturned(_logger, endpointId, joined.InterfaceName, source);
                return;
            }
            if (link.Kind == "veth")
            {
                inside.LinkDelete(link.Index);
            }
            else
            {
                inside.LinkSetNamespace(link.Index, _hostNamespace, "rmt" + endpointId[..Math.Min(12, endpointId.Length)]);
            }
        }
        catch (NetlinkNotFoundException)
        {
            // Gone meanwhile: what we wanted.
        }
        catch (NetlinkException e)
        {
            throw new InternalException($"leave endpoint {endpointId}: taking {joined.InterfaceName} out of {joined.SandboxKey}: {e.Message}", e);
        }
    }
}
