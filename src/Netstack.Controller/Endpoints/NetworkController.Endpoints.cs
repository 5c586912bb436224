using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Core.Ipam;
using Netstack.Core.Storage;
using Netstack.Core.FailPoints;

namespace Netstack.Controller;

public sealed partial class NetworkController
{
    public async Task<EndpointInfo> ConnectAsync(string network, string sandbox, EndpointSpec? spec = null, CancellationToken cancellationToken = default)
    {
        var plan = EndpointPlan.Create(spec ?? new EndpointSpec());
        await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        var net = ResolveNetwork(network);
        var sb = ResolveSandbox(sandbox);
        EndpointRecord record;
        using (await _sandboxLocks.AcquireAsync(sb.Id, cancellationToken).ConfigureAwait(false))
        {
            sb = _sandboxes.GetValueOrDefault(sb.Id)?.Value ?? throw new NotFoundException("sandbox", sandbox);
            if (sb.State != RecordState.Ready)
            {
                throw new ForbiddenException($"sandbox {sb.Name} is being removed");
            }
            var endpointName = plan.Name ?? sb.Name;
            using (await _networkLocks.AcquireAsync(net.Id, cancellationToken).ConfigureAwait(false))
            {
                net = _networks.GetValueOrDefault(net.Id)?.Value ?? throw new NotFoundException("network", network);
                // A global network's state in the view may lag the store (a refused removal just
                // taken back elsewhere): its attachment below decides on the store's record.
                if (net.State != RecordState.Ready && !IsGlobal(net))
                {
                    throw new ForbiddenException($"network {net.Name} is being removed");
                }
                if (EndpointsOfSandbox(sb.Id).Any(e => e.NetworkId == net.Id))
                {
                    throw new ConflictException($"sandbox {sb.Name} is already connected to network {net.Name}");
                }
                if (EndpointsOfNetwork(net.Id).Any(e => e.Name == endpointName) || !_pendingEndpointNames.TryAdd((net.Id, endpointName), 0))
                {
                    throw new ConflictException($"endpoint with name {endpointName} already exists in network {net.Name}");
                }
                // Counted while the connect runs, so a concurrent delete of the network sees it busy.
                _connectsInFlight.AddOrUpdate(net.Id, 1, (_, n) => n + 1);
            }
            try
            {
                record = await ConnectLockedAsync(net, sb, endpointName, plan, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _pendingEndpointNames.TryRemove((net.Id, endpointName), out _);
                _connectsInFlight.AddOrUpdate(net.Id, 0, (_, n) => n - 1);
            }
        }
        var info = RecordMapping.ToInfo(record, net, sb);
        ControllerLog.EndpointJoined(_logger, record.Id, sb.Name, net.Name, record.InterfaceName);
        _events.Publish(new EndpointEvent(EndpointEventKind.Joined, info));
        return info;
    }

    /// <param name="gatewayEndpoint">True for the sandbox's endpoint on the gateway network, which the controller makes itself.</param>
    private async Task<EndpointRecord> ConnectLockedAsync(NetworkRecord net, SandboxRecord sb, string endpointName, EndpointPlan plan, CancellationToken ct, bool gatewayEndpoint = false)
    {
        var driver = DriverOf(net);
        var ipam = IpamOf(net);
        var interfaceName = NextInterfaceName(sb.Id);
        var undo = new UndoStack();
        EndpointRecord record;
        bool providesGateway;
        try
        {
            var (ipv4, pool4) = await AllocateAsync(net, ipam, plan.IPv4, "ip", AddressFamily.InterNetwork, undo, ct).ConfigureAwait(false);
            (CidrAddress? Address, PoolRecord? Pool) v6 = (null, null);
            if (net.EnableIPv6 || plan.IPv6 is not null)
            {
                v6 = await AllocateAsync(net, ipam, plan.IPv6, "ip6", AddressFamily.InterNetworkV6, undo, ct).ConfigureAwait(false);
            }
            FailPoint.Hit(FailPointNames.EndpointCreateAfterAddress);

            record = new EndpointRecord
            {
                Id = ObjectId.New(),
                NetworkId = net.Id,
                Name = endpointName,
                SandboxId = sb.Id,
                InterfaceName = interfaceName,
                MacAddress = plan.MacAddress ?? MacAddresses.ForEndpoint(ipv4?.Address),
                IPv4Address = ipv4?.ToString(),
                IPv4PoolId = pool4?.PoolId,
                IPv6Address = v6.Address?.ToString(),
                IPv6PoolId = v6.Pool?.PoolId,
                Aliases = [.. plan.Aliases],
                RequestedPorts = plan.Ports.Select(RecordMapping.ToRecord).ToList(),
                DriverOptions = new Dictionary<string, string>(plan.DriverOptions, StringComparer.Ordinal),
                DisableResolution = gatewayEndpoint,
                Anonymous = gatewayEndpoint,
                State = RecordState.Creating,
            };
            // The intent, with the addresses: a crash from here on is undone by reconcile.
            var key = StateStore.EndpointKey(net.Id, record.Id);
            long revision;
            try
            {
                revision = await _store.Inner.PutAsync(key, StateStore.Serialize(record), expectedRevision: 0, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not ConflictException)
            {
                // Failed, yet perhaps written: no intent may stay for an endpoint that is not made.
                await _store.ForgetIntentAsync(key, null, record.Id).ConfigureAwait(false);
                throw;
            }
            _endpoints[record.Id] = new Stored<EndpointRecord>(record, revision);
            undo.Push("remove endpoint record", async c =>
            {
                await _store.Inner.DeleteAsync(key, cancellationToken: CancellationToken.None).ConfigureAwait(false);
                _endpoints.TryRemove(record.Id, out _);
            });
            if (IsGlobal(net))
            {
                await AttachGlobalAsync(net, record, undo, ct).ConfigureAwait(false);
            }
            FailPoint.Hit(FailPointNames.EndpointCreateAfterIntent);

            var created = await driver.CreateEndpointAsync(RecordMapping.ToDriverEndpoint(record), ct).ConfigureAwait(false);
            undo.Push($"delete endpoint in driver {net.Driver}", c => driver.DeleteEndpointAsync(net.Id, record.Id, c));
            record = record with { MacAddress = created.MacAddress };
            FailPoint.Hit(FailPointNames.EndpointCreateAfterDriver);

            var join = await driver.JoinAsync(RecordMapping.ToJoinRequest(record, sb), ct).ConfigureAwait(false);
            undo.Push($"leave sandbox in driver {net.Driver}", c => driver.LeaveAsync(net.Id, record.Id, c));
            record = record with { InterfaceName = join.InterfaceName };
            FailPoint.Hit(FailPointNames.EndpointJoinAfterDriver);

            _kernel.ConfigureInterface(sb.Key, join.InterfaceName, ipv4, v6.Address);
            foreach (var route in join.StaticRoutes)
            {
                _kernel.ReplaceRoute(sb.Key, join.InterfaceName, route.Destination, route.NextHop);
            }
            // One default route per sandbox (per family): the first endpoint that offers a gateway
            // provides it, as Docker's gateway endpoint; internal networks offer none.
            // The gateway network's endpoint does not count: one with a real gateway replaces it.
            providesGateway = !join.DisableGatewayService && !net.Internal
                && (join.Gateway is not null || join.GatewayIPv6 is not null)
                && !EndpointsOfSandbox(sb.Id).Any(e => e.ProvidesGateway && e.Id != record.Id && !IsGatewayEndpoint(e));
            var needsGatewayNetwork = !gatewayEndpoint && NeedsGatewayNetwork(net, driver, join);
            if (providesGateway)
            {
                if (join.Gateway is not null)
                {
                    _kernel.ReplaceRoute(sb.Key, join.InterfaceName, null, join.Gateway);
                }
                if (join.GatewayIPv6 is not null)
                {
                    _kernel.ReplaceRoute(sb.Key, join.InterfaceName, null, join.GatewayIPv6);
                }
            }

            FailPoint.Hit(FailPointNames.EndpointJoinAfterInterface);

            IReadOnlyList<PortBinding> published = [];
            if (needsGatewayNetwork && GatewayEndpointOf(sb.Id) is null && !HasOwnGateway(sb.Id, record.Id))
            {
                // The sandbox's way out and its published ports are on the gateway network, as in
                // Docker; a sandbox that already has a gateway (or the gateway endpoint) keeps it.
                await SetupGatewayEndpointAsync(sb, [.. RequestedPortsOfSandbox(sb.Id, record.Id), .. plan.Ports], undo, ct).ConfigureAwait(false);
            }
            else if (needsGatewayNetwork && plan.Ports.Count > 0 && GatewayEndpointOf(sb.Id) is not null)
            {
                await RepublishGatewayPortsAsync(sb, [.. RequestedPortsOfSandbox(sb.Id, record.Id), .. plan.Ports], undo, ct).ConfigureAwait(false);
            }
            else if (!net.Internal && (providesGateway || plan.Ports.Count > 0))
            {
                published = await driver.ProgramExternalConnectivityAsync(new ExternalConnectivityRequest
                {
                    NetworkId = net.Id,
                    EndpointId = record.Id,
                    PortBindings = plan.Ports,
                    Options = plan.DriverOptions,
                }, ct).ConfigureAwait(false);
                undo.Push($"revoke external connectivity in driver {net.Driver}", c => driver.RevokeExternalConnectivityAsync(net.Id, record.Id, c));
                FailPoint.Hit(FailPointNames.PortPublishAfterDriver);
            }
            else if (net.Internal && plan.Ports.Count > 0)
            {
                throw new InvalidParameterException("publish", plan.Ports[0].ToString(), $"network {net.Name} is internal: ports cannot be published on it");
            }

            // The acknowledgement, after every kernel change.
            record = record with
            {
                State = RecordState.Ready,
                Gateway = join.Gateway?.ToString(),
                GatewayIPv6 = join.GatewayIPv6?.ToString(),
                ProvidesGateway = providesGateway,
                NeedsGatewayNetwork = needsGatewayNetwork,
                PublishedPorts = published.Select(RecordMapping.ToRecord).ToList(),
            };
            var ready = await _store.Inner.PutAsync(key, StateStore.Serialize(record), revision, CancellationToken.None).ConfigureAwait(false);
            _endpoints[record.Id] = new Stored<EndpointRecord>(record, ready);
            undo.Commit();
        }
        catch
        {
            await undo.RollbackAsync().ConfigureAwait(false);
            LogRollback($"connect {sb.Name} to {net.Name}", undo);
            if (IsGlobal(net) && undo.RollbackErrors.Count > 0)
            {
                _globalRepairNeeded = true;
            }
            throw;
        }

        // The Ready record is the acknowledgement: the endpoint is joined. What follows is logged
        // when it fails, never reported as the connect's failure, so the Joined event (the
        // sandbox's resolver, the names of the network) always follows an acknowledged join.
        var joined = $"after endpoint {record.Name} joined sandbox {sb.Name}";
        await AfterAcknowledgementHitAsync(joined, () => FailPoint.Hit(FailPointNames.EndpointJoinAfterReady)).ConfigureAwait(false);
        if (providesGateway && !gatewayEndpoint)
        {
            // A real gateway makes the gateway network's endpoint unneeded (libnetwork's clearDefaultGW).
            await AfterAcknowledgementAsync(joined, () => ClearGatewayEndpointAsync(sb, "a network with a gateway joined")).ConfigureAwait(false);
        }
        return record;
    }

    /// <summary>A step after an operation's acknowledgement: its failure is logged, and never stops the steps after it.</summary>
    private async Task AfterAcknowledgementAsync(string what, Func<Task> step)
    {
        try
        {
            await step().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // the operation is done: a failure here is logged (reconcile repairs what it left)
        catch (Exception e)
#pragma warning restore CA1031
        {
            ControllerLog.ReconcileError(_logger, $"{what}: {e.Message}");
        }
    }

    private Task AfterAcknowledgementHitAsync(string what, Action step) => AfterAcknowledgementAsync(what, () =>
    {
        step();
        return Task.CompletedTask;
    });

    /// <summary>Reserves an address of one family: the static one in the pool whose subnet holds it, or the next free one of the first pool.</summary>
    private static async Task<(CidrAddress? Address, PoolRecord? Pool)> AllocateAsync(NetworkRecord net, IIpamDriver ipam, IPAddress? requested, string field, AddressFamily family, UndoStack undo, CancellationToken ct)
    {
        var pools = net.Pools.Where(p => IPNetwork.Parse(p.Subnet).BaseAddress.AddressFamily == family).ToArray();
        if (pools.Length == 0)
        {
            if (requested is not null)
            {
                throw new InvalidParameterException(field, requested.ToString(), $"network {net.Name} has no {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} subnet");
            }
            return (null, null);
        }
        var pool = pools[0];
        if (requested is not null)
        {
            pool = pools.FirstOrDefault(p => IPNetwork.Parse(p.Subnet).Contains(requested))
                ?? throw new InvalidParameterException(field, requested.ToString(), $"not in any subnet of network {net.Name} ({string.Join(", ", pools.Select(p => p.Subnet))})");
            var taken = pool.Gateway is { } gw && CidrAddress.Parse(gw).Address.Equals(requested)
                ? "the network's gateway"
                : pool.AuxAddresses.FirstOrDefault(a => a.Value == requested.ToString()).Key is { } aux ? $"aux address {aux}" : null;
            if (taken is not null)
            {
                throw new ConflictException($"address {requested} is {taken} on network {net.Name}");
            }
        }
        CidrAddress address;
        try
        {
            address = await ipam.RequestAddressAsync(pool.PoolId, requested, net.IpamOptions, ct).ConfigureAwait(false);
        }
        catch (ConflictException e) when (requested is not null)
        {
            throw new ConflictException($"address {requested} is already in use on network {net.Name}", e);
        }
        catch (ConflictException e)
        {
            throw new ConflictException($"no available addresses on network {net.Name}: {e.Message}", e);
        }
        undo.Push($"release address {address.Address}", c => ipam.ReleaseAddressAsync(pool.PoolId, address.Address, c));
        return (address, pool);
    }

    /// <summary>The lowest <c>ethN</c> not used by the sandbox's endpoints.</summary>
    private string NextInterfaceName(string sandboxId)
    {
        var used = EndpointsOfSandbox(sandboxId).Select(e => e.InterfaceName).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; ; i++)
        {
            var name = _options.InterfacePrefix + i.ToString(CultureInfo.InvariantCulture);
            if (!used.Contains(name))
            {
                return name;
            }
        }
    }

    public async Task DisconnectAsync(string network, string sandbox, bool force = false, CancellationToken cancellationToken = default)
    {
        await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        var net = ResolveNetwork(network);
        var sb = ResolveSandbox(sandbox);
        using (await _sandboxLocks.AcquireAsync(sb.Id, cancellationToken).ConfigureAwait(false))
        {
            var endpoint = EndpointsOfSandbox(sb.Id).FirstOrDefault(e => e.NetworkId == net.Id)
                ?? throw new NotFoundException("endpoint", $"{sb.Name} on network {net.Name}", $"sandbox {sb.Name} is not connected to network {net.Name}");
            await DisconnectLockedAsync(endpoint.Id, force, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Tears an endpoint down; the caller holds its sandbox's lock. Order: mark Deleting, undo the
    /// kernel work, delete the record (the acknowledgement), then release the addresses. Released
    /// last, a crash leaks them (reconcile frees addresses no record holds) instead of freeing
    /// an address twice after someone else got it.
    /// </summary>
    /// <param name="sandboxLeaving">True when the whole sandbox goes (or a connect is undone): the gateway endpoint is then never set up again.</param>
    private async Task DisconnectLockedAsync(string endpointId, bool force, CancellationToken ct, bool sandboxLeaving = false)
    {
        var stored = _endpoints.GetValueOrDefault(endpointId) ?? throw new NotFoundException("endpoint", endpointId);
        var endpoint = stored.Value;
        var key = StateStore.EndpointKey(endpoint.NetworkId, endpoint.Id);
        var network = _networks.GetValueOrDefault(endpoint.NetworkId)?.Value;
        var sandbox = _sandboxes.GetValueOrDefault(endpoint.SandboxId)?.Value;
        if (network is not null && IsGlobal(network))
        {
            // First, so an unreachable store fails the disconnect before anything changed; when
            // forced, the attachment is left for the repair that runs when the store is back.
            try
            {
                await DetachGlobalAsync(endpoint, ct).ConfigureAwait(false);
            }
            catch (UnavailableException e) when (force)
            {
                ControllerLog.ForcedTeardownFailed(_logger, endpoint.Id, e.Message);
            }
        }
        if (endpoint.State != RecordState.Deleting)
        {
            endpoint = endpoint with { State = RecordState.Deleting };
            long revision;
            try
            {
                revision = await _store.Inner.PutAsync(key, StateStore.Serialize(endpoint), stored.Revision, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not ConflictException)
            {
                // Failed, yet perhaps written: a retry must compare with what the store holds now.
                await RefreshAsync(_endpoints, endpoint.Id, key, ControllerJsonContext.Default.EndpointRecord).ConfigureAwait(false);
                throw;
            }
            _endpoints[endpoint.Id] = new Stored<EndpointRecord>(endpoint, revision);
        }
        FailPoint.Hit(FailPointNames.EndpointLeaveAfterMark);

        var teardown = new Teardown($"disconnect endpoint {endpoint.Name}");
        if (network is not null && _drivers.TryGetNetworkDriver(network.Driver, out var driver))
        {
            await teardown.StepAsync("revoke external connectivity", async () =>
            {
                await driver.RevokeExternalConnectivityAsync(endpoint.NetworkId, endpoint.Id, CancellationToken.None).ConfigureAwait(false);
                FailPoint.Hit(FailPointNames.EndpointLeaveAfterRevoke);
            }).ConfigureAwait(false);
            await teardown.StepAsync("leave sandbox", async () =>
            {
                await driver.LeaveAsync(endpoint.NetworkId, endpoint.Id, CancellationToken.None).ConfigureAwait(false);
                FailPoint.Hit(FailPointNames.EndpointLeaveAfterDriver);
            }).ConfigureAwait(false);
            await teardown.StepAsync("delete endpoint", async () =>
            {
                await driver.DeleteEndpointAsync(endpoint.NetworkId, endpoint.Id, CancellationToken.None).ConfigureAwait(false);
                FailPoint.Hit(FailPointNames.EndpointDeleteAfterDriver);
            }).ConfigureAwait(false);
        }
        if (teardown.Errors.Count > 0)
        {
            if (!force)
            {
                teardown.ThrowIfFailed();
            }
            ControllerLog.ForcedTeardownFailed(_logger, endpoint.Id, string.Join("; ", teardown.Errors.Select(e => e.Message)));
        }

        await _store.Inner.DeleteAsync(key, cancellationToken: CancellationToken.None).ConfigureAwait(false);
        _endpoints.TryRemove(endpoint.Id, out _);

        // The record is gone: that is the acknowledgement, the endpoint has left. What follows
        // must all run whatever fails in it (a failure logged, not reported): an exception here
        // would skip the Left event, and the sandbox's resolver would keep serving the endpoint.
        var left = $"after endpoint {endpoint.Name} left sandbox {sandbox?.Name ?? endpoint.SandboxId}";
        await AfterAcknowledgementHitAsync(left, () => FailPoint.Hit(FailPointNames.EndpointDeleteAfterRecord)).ConfigureAwait(false);
        await AfterAcknowledgementAsync(left, () => ReleaseAddressesAsync(network, endpoint)).ConfigureAwait(false);
        await AfterAcknowledgementHitAsync(left, () => FailPoint.Hit(FailPointNames.EndpointDeleteAfterRelease)).ConfigureAwait(false);
        if (endpoint.ProvidesGateway && sandbox is not null)
        {
            await AfterAcknowledgementAsync(left, () => MoveGatewayAsync(sandbox)).ConfigureAwait(false);
        }
        if (sandbox is not null && !IsGatewayEndpoint(endpoint))
        {
            await AfterAcknowledgementAsync(left, () => UpdateGatewayEndpointAfterLeaveAsync(sandbox, sandboxLeaving)).ConfigureAwait(false);
        }
        ControllerLog.EndpointLeft(_logger, endpoint.Id, sandbox?.Name ?? endpoint.SandboxId, network?.Name ?? endpoint.NetworkId);
        _events.Publish(new EndpointEvent(EndpointEventKind.Left, RecordMapping.ToInfo(endpoint, network, sandbox)));
    }

    private async Task ReleaseAddressesAsync(NetworkRecord? network, EndpointRecord endpoint)
    {
        if (network is null || !_drivers.TryGetIpamDriver(network.IpamDriver, out var ipam))
        {
            return;
        }
        var teardown = new Teardown($"release addresses of endpoint {endpoint.Name}");
        if (endpoint is { IPv4PoolId: { } p4, IPv4Address: { } a4 })
        {
            await teardown.StepAsync($"release {a4}", () => Retries.ReleaseAsync(() => ipam.ReleaseAddressAsync(p4, CidrAddress.Parse(a4).Address, CancellationToken.None), _time)).ConfigureAwait(false);
        }
        if (endpoint is { IPv6PoolId: { } p6, IPv6Address: { } a6 })
        {
            await teardown.StepAsync($"release {a6}", () => Retries.ReleaseAsync(() => ipam.ReleaseAddressAsync(p6, CidrAddress.Parse(a6).Address, CancellationToken.None), _time)).ConfigureAwait(false);
        }
        foreach (var error in teardown.Errors)
        {
            ControllerLog.ReconcileError(_logger, error.Message);
        }
        if (IsGlobal(network) && teardown.Errors.Count > 0)
        {
            _globalRepairNeeded = true;
        }
    }

    /// <summary>After the gateway endpoint left, lets the next endpoint with a gateway provide the default route (best effort).</summary>
    private async Task MoveGatewayAsync(SandboxRecord sandbox)
    {
        var next = EndpointsOfSandbox(sandbox.Id)
            .Where(e => e.State == RecordState.Ready && (e.Gateway is not null || e.GatewayIPv6 is not null))
            .Where(e => _networks.GetValueOrDefault(e.NetworkId)?.Value is { Internal: false })
            .OrderBy(e => e.InterfaceName, InterfaceNameComparer.Instance)
            .FirstOrDefault();
        if (next is null || !_endpoints.TryGetValue(next.Id, out var stored))
        {
            return;
        }
        try
        {
            if (next.Gateway is { } gw)
            {
                _kernel.ReplaceRoute(sandbox.Key, next.InterfaceName, null, IPAddress.Parse(gw));
            }
            if (next.GatewayIPv6 is { } gw6)
            {
                _kernel.ReplaceRoute(sandbox.Key, next.InterfaceName, null, IPAddress.Parse(gw6));
            }
            var updated = next with { ProvidesGateway = true };
            var revision = await _store.Inner.PutAsync(StateStore.EndpointKey(next.NetworkId, next.Id), StateStore.Serialize(updated), stored.Revision, CancellationToken.None).ConfigureAwait(false);
            _endpoints[next.Id] = new Stored<EndpointRecord>(updated, revision);
        }
#pragma warning disable CA1031 // best effort: the sandbox keeps working on its connected subnets without a default route
        catch (Exception e)
#pragma warning restore CA1031
        {
            ControllerLog.ReconcileError(_logger, $"moving the default route of sandbox {sandbox.Name} to {next.InterfaceName}: {e.Message}");
        }
    }

    public async Task<IReadOnlyList<EndpointInfo>> ListEndpointsAsync(string? network = null, CancellationToken cancellationToken = default)
    {
        await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        var networkId = network is null ? null : ResolveNetwork(network).Id;
        return _endpoints.Values.Select(e => e.Value)
            .Where(e => e.State != RecordState.Creating && (networkId is null || e.NetworkId == networkId))
            .OrderBy(e => e.NetworkId, StringComparer.Ordinal).ThenBy(e => e.Name, StringComparer.Ordinal)
            .Select(EndpointInfoOf)
            .ToArray();
    }

    private EndpointInfo EndpointInfoOf(EndpointRecord e) =>
        RecordMapping.ToInfo(e, _networks.GetValueOrDefault(e.NetworkId)?.Value, _sandboxes.GetValueOrDefault(e.SandboxId)?.Value);
}
