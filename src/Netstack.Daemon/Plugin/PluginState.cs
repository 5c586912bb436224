using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Core.Storage;

namespace Netstack.Daemon.Plugin;

/// <summary>
/// The networks and endpoints dockerd made through the plugin, kept in the daemon's local store
/// under their own prefix (<c>plugin/networks/&lt;id&gt;</c>, <c>plugin/endpoints/&lt;net&gt;/&lt;ep&gt;</c>), apart
/// from the controller's records, so that they survive a restart or <c>kill -9</c> of netstackd.
/// Loaded once from the store, then kept in memory; every change is written through before the
/// call that made it answers.
/// </summary>
internal sealed class PluginState
{
    public const string NetworkPrefix = "plugin/networks/";
    public const string EndpointPrefix = "plugin/endpoints/";

    private readonly IKeyValueStore? _store;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _loadLock = new(1, 1);
    private readonly ConcurrentDictionary<string, PluginNetworkRecord> _networks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PluginEndpointRecord> _endpoints = new(StringComparer.Ordinal);
    private volatile bool _loaded;

    /// <param name="store">The daemon's local store; absent (a daemon without a controller store) keeps the state in memory only.</param>
    public PluginState(IKeyValueStore? store = null, ILogger<PluginState>? logger = null)
    {
        _store = store;
        _logger = (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    }

    /// <summary>Serialises the plugin's changes: dockerd sends one call at a time per object, but nothing forces it to.</summary>
    public SemaphoreSlim Lock { get; } = new(1, 1);

    public async Task EnsureLoadedAsync(CancellationToken cancellationToken)
    {
        if (_loaded)
        {
            return;
        }
        await _loadLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_loaded || _store is null)
            {
                _loaded = true;
                return;
            }
            foreach (var entry in await _store.ListAsync(NetworkPrefix, cancellationToken).ConfigureAwait(false))
            {
                if (Read(entry, PluginStateJsonContext.Default.PluginNetworkRecord) is { } record)
                {
                    _networks[record.NetworkId] = record;
                }
            }
            foreach (var entry in await _store.ListAsync(EndpointPrefix, cancellationToken).ConfigureAwait(false))
            {
                if (Read(entry, PluginStateJsonContext.Default.PluginEndpointRecord) is { } record)
                {
                    _endpoints[record.EndpointId] = record;
                }
            }
            _loaded = true;
        }
        finally
        {
            _loadLock.Release();
        }
    }

    public PluginNetworkRecord? Network(string networkId) => _networks.GetValueOrDefault(networkId);

    public PluginEndpointRecord? Endpoint(string endpointId) => _endpoints.GetValueOrDefault(endpointId);

    public IReadOnlyList<PluginNetworkRecord> Networks => [.. _networks.Values];

    public IReadOnlyList<PluginEndpointRecord> EndpointsOf(string networkId) => [.. _endpoints.Values.Where(e => e.NetworkId == networkId)];

    public async Task PutNetworkAsync(PluginNetworkRecord record, CancellationToken cancellationToken)
    {
        if (_store is not null)
        {
            await _store.PutAsync(NetworkPrefix + record.NetworkId, JsonSerializer.SerializeToUtf8Bytes(record, PluginStateJsonContext.Default.PluginNetworkRecord), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        _networks[record.NetworkId] = record;
    }

    /// <summary>Removes the network's record and its endpoints' records in one transaction.</summary>
    public async Task DeleteNetworkAsync(string networkId, CancellationToken cancellationToken)
    {
        var endpoints = EndpointsOf(networkId);
        if (_store is not null)
        {
            var transaction = new StoreTransaction().Delete(NetworkPrefix + networkId);
            foreach (var endpoint in endpoints)
            {
                transaction.Delete(EndpointKey(endpoint.NetworkId, endpoint.EndpointId));
            }
            await _store.CommitAsync(transaction, cancellationToken).ConfigureAwait(false);
        }
        foreach (var endpoint in endpoints)
        {
            _endpoints.TryRemove(endpoint.EndpointId, out _);
        }
        _networks.TryRemove(networkId, out _);
    }

    public async Task PutEndpointAsync(PluginEndpointRecord record, CancellationToken cancellationToken)
    {
        if (_store is not null)
        {
            await _store.PutAsync(EndpointKey(record.NetworkId, record.EndpointId), JsonSerializer.SerializeToUtf8Bytes(record, PluginStateJsonContext.Default.PluginEndpointRecord), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        _endpoints[record.EndpointId] = record;
    }

    public async Task DeleteEndpointAsync(PluginEndpointRecord record, CancellationToken cancellationToken)
    {
        if (_store is not null)
        {
            await _store.DeleteAsync(EndpointKey(record.NetworkId, record.EndpointId), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        _endpoints.TryRemove(record.EndpointId, out _);
    }

    /// <summary>Everything stored for one driver type, in the shape of a reconcile request.</summary>
    public async Task<DriverReconcileRequest> ForDriverAsync(string driverType, CancellationToken cancellationToken)
    {
        await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        var networks = _networks.Values.Where(n => n.Driver == driverType).ToArray();
        var ids = networks.Select(n => n.NetworkId).ToHashSet(StringComparer.Ordinal);
        return new DriverReconcileRequest
        {
            Networks = [.. networks.Select(ToDriverNetwork)],
            Endpoints = [.. _endpoints.Values.Where(e => ids.Contains(e.NetworkId)).Select(e => new DriverEndpointState
            {
                Endpoint = ToDriverEndpoint(e),
                Join = e.Joined ? ToHandOverJoin(e) : null,
                PortBindings = [.. e.Ports.Select(ToBinding)],
            })],
        };
    }

    /// <summary>A record, or null (logged) when it does not parse: one damaged record must not stop the daemon or hide the others.</summary>
    private T? Read<T>(KeyValueEntry entry, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(entry.Value.Span, info);
        }
        catch (JsonException e)
        {
            PluginLog.RecordUnreadable(_logger, entry.Key, e.Message);
            return null;
        }
    }

    private static string EndpointKey(string networkId, string endpointId) => $"{EndpointPrefix}{networkId}/{endpointId}";

    public static DriverNetwork ToDriverNetwork(PluginNetworkRecord record) => new()
    {
        NetworkId = record.NetworkId,
        // Docker does not tell a remote driver the network's name; the short id stands in for it.
        Name = ObjectId.Short(record.NetworkId),
        Options = record.Options,
        Internal = record.Internal,
        EnableIPv6 = record.EnableIPv6,
        IPv4 = [.. record.IPv4.Select(ToIpamData)],
        IPv6 = [.. record.IPv6.Select(ToIpamData)],
    };

    public static DriverEndpoint ToDriverEndpoint(PluginEndpointRecord record) => new()
    {
        NetworkId = record.NetworkId,
        EndpointId = record.EndpointId,
        MacAddress = record.MacAddress,
        IPv4Address = record.IPv4Address is null ? null : CidrAddress.Parse(record.IPv4Address),
        IPv6Address = record.IPv6Address is null ? null : CidrAddress.Parse(record.IPv6Address),
    };

    /// <summary>The join of a plugin endpoint: always a hand-over, as dockerd moves the interface itself.</summary>
    public static JoinRequest ToHandOverJoin(PluginEndpointRecord record) => new()
    {
        NetworkId = record.NetworkId,
        EndpointId = record.EndpointId,
        SandboxKey = string.Empty,
        InterfaceName = string.Empty,
        MacAddress = record.MacAddress,
        IPv4Address = record.IPv4Address is null ? null : CidrAddress.Parse(record.IPv4Address),
        IPv6Address = record.IPv6Address is null ? null : CidrAddress.Parse(record.IPv6Address),
    };

    public static PortBinding ToBinding(PluginPortRecord record) => new()
    {
        Protocol = Enum.Parse<PortProtocol>(record.Protocol, ignoreCase: true),
        ContainerPort = record.ContainerPort,
        HostIp = record.HostIp is null ? null : IPAddress.Parse(record.HostIp),
        HostPort = record.HostPort,
    };

    public static PluginPortRecord ToRecord(PortBinding binding) => new()
    {
        Protocol = binding.Protocol.ToString().ToLowerInvariant(),
        ContainerPort = binding.ContainerPort,
        HostIp = binding.HostIp?.ToString(),
        HostPort = binding.HostPort,
    };

    private static DriverIpamData ToIpamData(PluginPoolRecord pool) => new()
    {
        Subnet = IPNetwork.Parse(pool.Subnet),
        Gateway = pool.Gateway is null ? null : CidrAddress.Parse(pool.Gateway),
        AuxAddresses = pool.AuxAddresses.ToDictionary(a => a.Key, a => IPAddress.Parse(a.Value), StringComparer.Ordinal),
    };
}
