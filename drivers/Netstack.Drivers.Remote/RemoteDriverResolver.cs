using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Core.Ipam;
using Netstack.Drivers.Remote.Logging;
using Netstack.Drivers.Remote.Plugins;

namespace Netstack.Drivers.Remote;

/// <summary>
/// The <see cref="IDriverResolver"/> of remote plugins: a name no built-in driver has is looked up
/// with <see cref="PluginDiscovery"/>; a plugin found is activated and asked for its capabilities
/// there and then (bounded by the activation and call timeouts; the lookup blocks that long at
/// most, as Docker's does). One <see cref="PluginClient"/> per plugin serves both its network and its
/// IPAM driver. A plugin found but unreachable still resolves, to a driver whose calls fail with a
/// clear <see cref="UnavailableException"/> until it answers, so that <c>network create -d NAME</c>
/// says what is wrong instead of "no such driver"; a plugin that answers but does not implement the
/// subsystem does not resolve.
/// </summary>
public sealed class RemoteDriverResolver : IDriverResolver, IDisposable
{
    private readonly RemoteDriverOptions _options;
    private readonly PluginDiscovery _discovery;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, PluginClient> _clients = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<IDisposable> _owned = [];

    public RemoteDriverResolver(RemoteDriverOptions options, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _discovery = new PluginDiscovery(options);
        _time = timeProvider ?? TimeProvider.System;
        _loggers = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggers.CreateLogger<RemoteDriverResolver>();
    }

    public PluginDiscovery Discovery => _discovery;

    public bool TryResolveNetworkDriver(string type, [MaybeNullWhen(false)] out INetworkDriver driver)
    {
        driver = null;
        if (Client(type) is not { } client)
        {
            return false;
        }
        var remote = new RemoteNetworkDriver(client, _options, _time, _loggers);
        if (!Handshake(client, () => remote.InitializeAsync(CancellationToken.None)))
        {
            remote.Dispose();
            return false;
        }
        _owned.Add(remote);
        driver = remote;
        return true;
    }

    public bool TryResolveIpamDriver(string name, [MaybeNullWhen(false)] out IIpamDriver driver)
    {
        driver = null;
        if (Client(name) is not { } client)
        {
            return false;
        }
        var remote = new RemoteIpamDriver(client, _options, _time, _loggers);
        if (!Handshake(client, () => remote.InitializeAsync(CancellationToken.None)))
        {
            return false;
        }
        driver = remote;
        return true;
    }

    public void Dispose()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }
    }

    private PluginClient? Client(string name)
    {
        if (_clients.TryGetValue(name, out var known))
        {
            return known;
        }
        PluginEndpoint? endpoint;
        try
        {
            if (!_discovery.TryFind(name, out endpoint))
            {
                return null;
            }
        }
        catch (NetstackException e)
        {
            // A name that cannot be a plugin, or a spec file that cannot be used: no such driver, and the log says why.
            Log.PluginUnavailable(_logger, name, e.Message);
            return null;
        }
        Log.PluginFound(_logger, name, endpoint.Source);
        var client = new PluginClient(endpoint, _options, _time, _loggers.CreateLogger<PluginClient>());
        var kept = _clients.GetOrAdd(name, client);
        if (!ReferenceEquals(kept, client))
        {
            client.Dispose();
        }
        return kept;
    }

    /// <summary>Runs the driver's handshake synchronously: the registry's lookup is synchronous. False when the plugin answers without the subsystem.</summary>
    private bool Handshake(PluginClient client, Func<Task> initialize)
    {
        try
        {
            // No synchronization context in the daemon, and the handshake awaits with ConfigureAwait(false).
            Task.Run(initialize).GetAwaiter().GetResult();
            return true;
        }
        catch (NotImplementedNetstackException e)
        {
            Log.PluginUnavailable(_logger, client.Endpoint.Name, e.Message);
            return false;
        }
        catch (NetstackException e)
        {
            Log.PluginUnavailable(_logger, client.Endpoint.Name, e.Message);
            return true;
        }
    }
}
