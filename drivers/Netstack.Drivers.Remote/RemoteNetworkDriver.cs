using System.Collections.Concurrent;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Drivers.Remote.Logging;
using Netstack.Drivers.Remote.Plugins;
using Netstack.Drivers.Remote.Protocol;
using Netstack.Linux;

namespace Netstack.Drivers.Remote;

/// <summary>
/// A third-party network driver behind Docker's remote-driver protocol (libnetwork's
/// <c>drivers/remote</c>): every <see cref="INetworkDriver"/> method is one <c>NetworkDriver.*</c>
/// call of the plugin. The plugin makes the interface in the host namespace and names it at join
/// (<c>SrcName</c>); this driver moves it into the sandbox under the requested name, as Docker's
/// sandbox code does, and moves it back at leave. Methods are split by concern: networks, endpoints,
/// joins.
/// <para>The plugin is activated and asked for its capabilities when the driver is first looked up.
/// If it cannot be reached then, <see cref="Capabilities"/> are the local defaults until a later call
/// reaches it; every call tries again and fails with a clear <see cref="UnavailableException"/> while
/// it is down.</para>
/// <para>Teardown (delete, leave, revoke) of an object this driver does not know of (never made, or
/// made before a restart and not handed over at reconcile) still asks the plugin, but a refusal
/// (<c>Err</c>) is then taken as "already gone", which keeps teardown idempotent as the contract asks.</para>
/// </summary>
public sealed partial class RemoteNetworkDriver : INetworkDriver, IDisposable
{
    /// <summary>The subsystem name in <c>/Plugin.Activate</c>'s <c>Implements</c>.</summary>
    public const string Subsystem = "NetworkDriver";

    private readonly PluginClient _plugin;
    private readonly RemoteDriverOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HostNetwork _host;
    private readonly NetworkNamespace _hostNamespace;
    private readonly SemaphoreSlim _handshake = new(1, 1);
    private readonly ConcurrentDictionary<string, byte> _networks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _endpoints = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _programmed = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, JoinedInterface> _joins = new(StringComparer.Ordinal);
    private volatile DriverCapabilities? _capabilities;
    private (Exception Error, long At)? _lastFailure;

    /// <param name="plugin">The plugin's client; shared with its IPAM driver, not owned.</param>
    public RemoteNetworkDriver(PluginClient plugin, RemoteDriverOptions options, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        ArgumentNullException.ThrowIfNull(options);
        _plugin = plugin;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<RemoteNetworkDriver>();
        _host = HostNetwork.Open(options.HostNamespacePath);
        try
        {
            // A handle on the host namespace itself, to move interfaces back into at leave.
            _hostNamespace = NetworkNamespace.Open(string.IsNullOrEmpty(options.HostNamespacePath) ? "/proc/self/ns/net" : options.HostNamespacePath);
        }
        catch
        {
            _host.Dispose();
            throw;
        }
    }

    /// <summary>The plugin's name, as <c>-d NAME</c> gives it.</summary>
    public string Type => _plugin.Endpoint.Name;

    public PluginEndpoint Plugin => _plugin.Endpoint;

    /// <summary>The plugin's answer to <c>GetCapabilities</c>; local/local until the plugin has answered.</summary>
    public DriverCapabilities Capabilities => _capabilities ?? new DriverCapabilities();

    /// <summary>True once the plugin was activated as a network driver and told its capabilities.</summary>
    public bool IsReady => _capabilities is not null;

    /// <summary>
    /// Activates the plugin, checks it implements <c>NetworkDriver</c> and reads its capabilities; once.
    /// A plugin without <c>NetworkDriver</c>: <see cref="NotImplementedNetstackException"/>.
    /// </summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (_capabilities is not null)
        {
            return;
        }
        await _handshake.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_capabilities is not null)
            {
                return;
            }
            // A lookup that just failed to reach the plugin must not make the call right after it wait
            // the whole activation timeout again.
            if (_lastFailure is { } last && _time.GetElapsedTime(last.At) < _options.ActivationTimeout)
            {
                _lastFailure = null;
                throw Again(last.Error);
            }
            try
            {
                await _plugin.EnsureImplementsAsync(Subsystem, cancellationToken).ConfigureAwait(false);
                var answer = await _plugin.CallAsync("NetworkDriver.GetCapabilities", new EmptyRequest(), PluginJsonContext.Default.EmptyRequest,
                    PluginJsonContext.Default.NetworkCapabilitiesResponse, cancellationToken).ConfigureAwait(false);
                var scope = ParseScope(answer.Scope, "Scope") ?? throw _plugin.Garbage("NetworkDriver.GetCapabilities", "the answer has no \"Scope\"");
                _capabilities = new DriverCapabilities
                {
                    DataScope = scope,
                    ConnectivityScope = ParseScope(answer.ConnectivityScope, "ConnectivityScope") ?? scope,
                };
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

    public void Dispose()
    {
        _host.Dispose();
        _hostNamespace.Dispose();
        _handshake.Dispose();
    }

    public Task<DriverReconcileReport> ReconcileAsync(DriverReconcileRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        // The plugin owns its kernel objects and keeps its own state: nothing to rebuild here. What
        // the store holds becomes known again, so teardown of it reports the plugin's refusals.
        foreach (var network in request.Networks)
        {
            _networks.TryAdd(network.NetworkId, 0);
        }
        foreach (var state in request.Endpoints)
        {
            _endpoints.TryAdd(state.Endpoint.EndpointId, 0);
            if (state.PortBindings.Count > 0)
            {
                _programmed.TryAdd(state.Endpoint.EndpointId, 0);
            }
            if (state.Join is { } join)
            {
                // The plugin's SrcName is not stored; leave deletes a veth instead of moving it back.
                _joins.TryAdd(join.EndpointId, new JoinedInterface(join.SandboxKey, join.InterfaceName, null));
            }
        }
        return Task.FromResult(new DriverReconcileReport());
    }

    private async Task<TResponse> CallAsync<TRequest, TResponse>(string method, TRequest request,
        JsonTypeInfo<TRequest> requestType,
        JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
        where TResponse : PluginResponse
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        return await _plugin.CallAsync("NetworkDriver." + method, request, requestType, responseType, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A teardown call: a refusal for an object this driver does not know is "already gone".</summary>
    private async Task TeardownAsync<TRequest>(string method, TRequest request, JsonTypeInfo<TRequest> requestType,
        bool known, CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync(method, request, requestType, PluginJsonContext.Default.EmptyResponse, cancellationToken).ConfigureAwait(false);
        }
        catch (PluginErrorException e) when (!known)
        {
            Log.RollbackFailed(_logger, Type, method + " of an object this driver does not know", e.PluginError);
        }
    }

    /// <summary>Best effort, after a failure: tells the plugin to drop what it made; the failure that led here is what the caller reports.</summary>
    private async Task RollbackAsync<TRequest>(string method, TRequest request, JsonTypeInfo<TRequest> requestType)
    {
        try
        {
            using var bounded = new CancellationTokenSource(_options.CallTimeout, _time);
            await _plugin.CallAsync("NetworkDriver." + method, request, requestType, PluginJsonContext.Default.EmptyResponse, bounded.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // a rollback reports nothing of its own: the original failure is thrown
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.RollbackFailed(_logger, Type, method, e.Message);
        }
    }

    private NetworkScope? ParseScope(string? value, string field) => value?.ToLowerInvariant() switch
    {
        null or "" => null,
        "local" => NetworkScope.Local,
        "global" => NetworkScope.Global,
        _ => throw _plugin.Garbage("NetworkDriver.GetCapabilities", $"\"{field}\" is \"{value}\", not \"local\" or \"global\""),
    };

    private static NetstackException Again(Exception error) => error switch
    {
        PluginErrorException refusal => refusal,
        NetstackException e => new UnavailableException(e.Message, e),
        _ => new UnavailableException(error.Message, error),
    };

    /// <summary>Where a joined endpoint's interface is, and the name the plugin gave it on the host (null when not known after a restart).</summary>
    private sealed record JoinedInterface(string SandboxKey, string InterfaceName, string? SourceName);
}
