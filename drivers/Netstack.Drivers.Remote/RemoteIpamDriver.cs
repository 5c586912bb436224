using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Netstack.Core;
using Netstack.Core.Ipam;
using Netstack.Drivers.Remote.Logging;
using Netstack.Drivers.Remote.Plugins;
using Netstack.Drivers.Remote.Protocol;

namespace Netstack.Drivers.Remote;

/// <summary>
/// A third-party address manager behind Docker's remote IPAM protocol (libnetwork's
/// <c>ipams/remote</c>): <c>IpamDriver.GetDefaultAddressSpaces</c> once at activation (Netstack's
/// <c>LocalDefault</c>/<c>GlobalDefault</c> are translated to the plugin's names), then
/// <c>RequestPool</c>, <c>ReleasePool</c>, <c>RequestAddress</c>, <c>ReleaseAddress</c>.
/// <para><see cref="ListPoolsAsync"/> and <see cref="ListAddressesAsync"/> have no call in the
/// protocol: they return what this daemon reserved through the driver since it started. The
/// controller's garbage sweep releases what is listed and held by no record, so a plugin shared with
/// others (a Docker engine, another daemon) never loses a reservation that is not ours; what leaked
/// before a restart stays with the plugin.</para>
/// </summary>
public sealed class RemoteIpamDriver : IIpamDriver
{
    /// <summary>The subsystem name in <c>/Plugin.Activate</c>'s <c>Implements</c>.</summary>
    public const string Subsystem = "IpamDriver";

    private readonly PluginClient _plugin;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _handshake = new(1, 1);
    private readonly ConcurrentDictionary<string, TrackedPool> _pools = new(StringComparer.Ordinal);
    private readonly TimeSpan _activationTimeout;
    private readonly TimeProvider _time;
    private AddressSpacesResponse? _spaces;
    private (NetstackException Error, long At)? _lastFailure;

    /// <param name="plugin">The plugin's client; shared with its network driver, not owned.</param>
    public RemoteIpamDriver(PluginClient plugin, RemoteDriverOptions? options = null, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        _plugin = plugin;
        _activationTimeout = (options ?? new RemoteDriverOptions()).ActivationTimeout;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<RemoteIpamDriver>();
    }

    /// <summary>True once the plugin was activated as an IPAM driver and told its address spaces.</summary>
    public bool IsReady => Volatile.Read(ref _spaces) is not null;

    public string Name => _plugin.Endpoint.Name;

    public PluginEndpoint Plugin => _plugin.Endpoint;

    /// <summary>Activates the plugin, checks it implements <c>IpamDriver</c> and reads its default address spaces; once.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _spaces) is not null)
        {
            return;
        }
        await _handshake.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_spaces is not null)
            {
                return;
            }
            // As the network driver: the call right after a lookup that could not reach the plugin
            // fails at once with that reason instead of waiting the activation timeout again.
            if (_lastFailure is { } last && _time.GetElapsedTime(last.At) < _activationTimeout)
            {
                _lastFailure = null;
                throw last.Error as PluginErrorException ?? (NetstackException)new UnavailableException(last.Error.Message, last.Error);
            }
            try
            {
                await _plugin.EnsureImplementsAsync(Subsystem, cancellationToken).ConfigureAwait(false);
                var spaces = await _plugin.CallAsync("IpamDriver.GetDefaultAddressSpaces", new EmptyRequest(), PluginJsonContext.Default.EmptyRequest,
                    PluginJsonContext.Default.AddressSpacesResponse, cancellationToken).ConfigureAwait(false);
                if (string.IsNullOrEmpty(spaces.LocalDefaultAddressSpace))
                {
                    throw _plugin.Garbage("IpamDriver.GetDefaultAddressSpaces", "the answer has no \"LocalDefaultAddressSpace\"");
                }
                Volatile.Write(ref _spaces, spaces);
                _lastFailure = null;
            }
            catch (NetstackException e) when (e is not NotImplementedNetstackException)
            {
                _lastFailure = (e, _time.GetTimestamp());
                throw;
            }
        }
        finally
        {
            _handshake.Release();
        }
    }

    public async Task<PoolReservation> RequestPoolAsync(PoolRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        const string method = "IpamDriver.RequestPool";
        var answer = await _plugin.CallAsync(method, new RequestPoolMessage
        {
            AddressSpace = PluginSpace(request.AddressSpace),
            Pool = request.Subnet?.ToString() ?? string.Empty,
            SubPool = request.IpRange?.ToString() ?? string.Empty,
            Options = request.Options.ToDictionary(o => o.Key, o => o.Value, StringComparer.Ordinal),
            V6 = request.IPv6,
        }, PluginJsonContext.Default.RequestPoolMessage, PluginJsonContext.Default.RequestPoolResponse, cancellationToken).ConfigureAwait(false);

        string? problem = null;
        IPNetwork subnet = default;
        if (string.IsNullOrEmpty(answer.PoolID))
        {
            problem = "the answer has no \"PoolID\"";
        }
        else if (!IPNetwork.TryParse(answer.Pool ?? string.Empty, out subnet))
        {
            problem = $"\"Pool\" \"{answer.Pool}\" is not a subnet such as 10.1.0.0/16";
        }
        else if (request.Subnet is { } asked && !asked.Equals(subnet))
        {
            problem = $"the plugin reserved {subnet} where {asked} was asked for";
        }
        else if ((subnet.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6) != request.IPv6)
        {
            problem = $"the plugin reserved {subnet} for an {(request.IPv6 ? "IPv6" : "IPv4")} request";
        }
        if (problem is not null)
        {
            if (!string.IsNullOrEmpty(answer.PoolID))
            {
                await ReleaseQuietlyAsync(answer.PoolID).ConfigureAwait(false);
            }
            throw _plugin.Garbage(method, problem);
        }
        _pools[answer.PoolID!] = new TrackedPool(request.AddressSpace);
        return new PoolReservation { PoolId = answer.PoolID!, Subnet = subnet, IpRange = request.IpRange };
    }

    /// <summary><c>IpamDriver.ReleasePool</c>; a refusal for a pool this driver does not know is "already released".</summary>
    public async Task ReleasePoolAsync(string poolId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(poolId);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _plugin.CallAsync("IpamDriver.ReleasePool", new ReleasePoolMessage { PoolID = poolId }, PluginJsonContext.Default.ReleasePoolMessage,
                PluginJsonContext.Default.EmptyResponse, cancellationToken).ConfigureAwait(false);
        }
        catch (PluginErrorException e) when (!_pools.ContainsKey(poolId))
        {
            Log.RollbackFailed(_logger, Name, "IpamDriver.ReleasePool of a pool this driver does not know", e.PluginError);
        }
        _pools.TryRemove(poolId, out _);
    }

    public async Task<CidrAddress> RequestAddressAsync(string poolId, IPAddress? preferred, IReadOnlyDictionary<string, string> options, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(poolId);
        ArgumentNullException.ThrowIfNull(options);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        const string method = "IpamDriver.RequestAddress";
        var answer = await _plugin.CallAsync(method, new RequestAddressMessage
        {
            PoolID = poolId,
            Address = preferred?.ToString() ?? string.Empty,
            Options = options.ToDictionary(o => o.Key, o => o.Value, StringComparer.Ordinal),
        }, PluginJsonContext.Default.RequestAddressMessage, PluginJsonContext.Default.RequestAddressResponse, cancellationToken).ConfigureAwait(false);

        string? problem = null;
        if (!CidrAddress.TryParse(answer.Address, out var address))
        {
            problem = $"\"Address\" \"{answer.Address}\" is not an address with prefix length such as 10.1.0.2/16";
        }
        else if (preferred is not null && !preferred.Equals(address.Address))
        {
            problem = $"the plugin gave {address.Address} where {preferred} was asked for";
        }
        if (problem is not null)
        {
            if (CidrAddress.TryParse(answer.Address, out var given))
            {
                await ReleaseAddressQuietlyAsync(poolId, given.Address).ConfigureAwait(false);
            }
            throw _plugin.Garbage(method, problem);
        }
        if (_pools.TryGetValue(poolId, out var pool))
        {
            pool.Addresses[address.Address] = 0;
        }
        return address;
    }

    /// <summary><c>IpamDriver.ReleaseAddress</c>; a refusal for an address this driver did not hand out is "already released".</summary>
    public async Task ReleaseAddressAsync(string poolId, IPAddress address, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(poolId);
        ArgumentNullException.ThrowIfNull(address);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        var pool = _pools.GetValueOrDefault(poolId);
        try
        {
            await _plugin.CallAsync("IpamDriver.ReleaseAddress", new ReleaseAddressMessage { PoolID = poolId, Address = address.ToString() },
                PluginJsonContext.Default.ReleaseAddressMessage, PluginJsonContext.Default.EmptyResponse, cancellationToken).ConfigureAwait(false);
        }
        catch (PluginErrorException e) when (pool is null || !pool.Addresses.ContainsKey(address))
        {
            Log.RollbackFailed(_logger, Name, "IpamDriver.ReleaseAddress of an address this driver did not hand out", e.PluginError);
        }
        pool?.Addresses.TryRemove(address, out _);
    }

    /// <summary>The pools this daemon reserved through the driver since it started (see the type's remarks).</summary>
    public Task<IReadOnlyList<string>> ListPoolsAsync(string addressSpace, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>(_pools.Where(p => p.Value.AddressSpace == addressSpace).Select(p => p.Key).ToArray());

    /// <summary>The addresses this daemon reserved in the pool since it started (see the type's remarks).</summary>
    public Task<IReadOnlyList<IPAddress>> ListAddressesAsync(string poolId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<IPAddress>>(_pools.TryGetValue(poolId, out var pool) ? pool.Addresses.Keys.ToArray() : []);

    /// <summary>Netstack's space names mapped to the plugin's defaults; any other name is passed as it is.</summary>
    private string PluginSpace(string space) => space switch
    {
        IpamAddressSpaces.Local => _spaces!.LocalDefaultAddressSpace!,
        IpamAddressSpaces.Global when !string.IsNullOrEmpty(_spaces!.GlobalDefaultAddressSpace) => _spaces.GlobalDefaultAddressSpace!,
        _ => space,
    };

    private async Task ReleaseQuietlyAsync(string poolId)
    {
        try
        {
            await _plugin.CallAsync("IpamDriver.ReleasePool", new ReleasePoolMessage { PoolID = poolId }, PluginJsonContext.Default.ReleasePoolMessage,
                PluginJsonContext.Default.EmptyResponse, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // a rollback reports nothing of its own: the original failure is thrown
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.RollbackFailed(_logger, Name, "IpamDriver.ReleasePool", e.Message);
        }
    }

    private async Task ReleaseAddressQuietlyAsync(string poolId, IPAddress address)
    {
        try
        {
            await _plugin.CallAsync("IpamDriver.ReleaseAddress", new ReleaseAddressMessage { PoolID = poolId, Address = address.ToString() },
                PluginJsonContext.Default.ReleaseAddressMessage, PluginJsonContext.Default.EmptyResponse, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // a rollback reports nothing of its own: the original failure is thrown
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.RollbackFailed(_logger, Name, "IpamDriver.ReleaseAddress", e.Message);
        }
    }

    private sealed record TrackedPool(string AddressSpace)
    {
        public ConcurrentDictionary<IPAddress, byte> Addresses { get; } = new();
    }
}
