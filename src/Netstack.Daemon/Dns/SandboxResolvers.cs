using System.Net;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Netstack.Controller;
using Netstack.Core;
using Netstack.Daemon.Hosting;
using Netstack.Dns.Names;
using Netstack.Dns.Resolver;
using Netstack.Dns.Sandbox;
using Netstack.Dns.Upstream;
using Netstack.Firewall;
using Netstack.Linux;

namespace Netstack.Daemon.Dns;

/// <summary>
/// One embedded resolver per sandbox that has an endpoint on a user-defined network (as Docker,
/// sandboxes only on the built-in <c>bridge</c> network get none): started when such an endpoint
/// joins, with its 127.0.0.11:53 redirect applied in the sandbox's own nat table, restarted when its
/// forwarding changes (all networks internal or not), stopped when the last such endpoint leaves or
/// the sandbox goes. Endpoint events only queue work; a single worker (and callers of
/// <see cref="SyncAsync"/>) do it under one gate, so a sandbox is never started twice.
/// </summary>
internal sealed class SandboxResolvers : IAsyncDisposable
{
    private const string HostResolvConf = "/etc/resolv.conf";

    private readonly INetworkController _controller;
    private readonly DnsNameTable _table;
    private readonly IReadOnlyList<IPAddress> _daemonDns;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, Running> _running = new(StringComparer.Ordinal);
    private readonly Channel<string> _pending = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private DnsNameFeed? _feed;
    private IDisposable? _subscription;
    private Task? _worker;
    private readonly FirewallBackend _firewallBackend;

    public SandboxResolvers(INetworkController controller, DnsNameTable table, IOptions<DaemonOptions> options, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(options);
        _controller = controller;
        _table = table;
        _daemonDns = [.. options.Value.Dns.Select(IPAddress.Parse)];
        _firewallBackend = options.Value.Firewall;
        _loggers = loggers;
        _logger = loggers.CreateLogger<SandboxResolvers>();
    }

    /// <summary>The names each endpoint answers to (for inspect).</summary>
    public DnsNameTable Names => _table;

    /// <summary>
    /// Starts the name feed and the worker, then brings every existing sandbox's resolver up (after
    /// a daemon restart the containers are still running and must keep resolving). Call after reconcile.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _feed = new DnsNameFeed(_controller, _table, DefaultNetwork.HasResolver);
        await _feed.StartAsync(cancellationToken).ConfigureAwait(false);
        _subscription = _controller.SubscribeEndpointEvents(OnEndpointEvent);
        _worker = Task.Run(WorkAsync, CancellationToken.None);
        var count = 0;
        foreach (var sandbox in await _controller.ListSandboxesAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await SyncAsync(sandbox.Id, cancellationToken).ConfigureAwait(false))
            {
                count++;
            }
        }
        DnsLog.ResolversRestored(_logger, count);
    }

    /// <summary>
    /// Makes the sandbox's resolver match its endpoints now (the container start calls this before
    /// runc, so the first query already finds it). Returns true when a resolver serves the sandbox.
    /// </summary>
    public async Task<bool> SyncAsync(string sandboxId, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await SyncLockedAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _subscription?.Dispose();
        _feed?.Dispose();
        _pending.Writer.TryComplete();
        if (_worker is not null)
        {
            await _worker.ConfigureAwait(false);
        }
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            // The daemon stops, the containers stay: only the sockets close. The redirect stays in
            // each sandbox and is replaced when the next daemon starts its resolver.
            foreach (var running in _running.Values)
            {
                await running.Server.DisposeAsync().ConfigureAwait(false);
                running.Namespace.Dispose();
            }
            _running.Clear();
        }
        finally
        {
            _gate.Release();
        }
        _gate.Dispose();
    }

    private void OnEndpointEvent(EndpointEvent e)
    {
        // Runs inside the controller's change: no calls back into it here, only a note for the worker.
        if (e.Kind is EndpointEventKind.Joined or EndpointEventKind.Left && e.Endpoint.SandboxId.Length > 0)
        {
            _pending.Writer.TryWrite(e.Endpoint.SandboxId);
        }
    }

    private async Task WorkAsync()
    {
        await foreach (var sandboxId in _pending.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                await SyncAsync(sandboxId, CancellationToken.None).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // one sandbox's failure must not stop the worker serving the others
            catch (Exception e)
#pragma warning restore CA1031
            {
                DnsLog.SyncFailed(_logger, sandboxId, e);
            }
        }
    }

    private async Task<bool> SyncLockedAsync(string sandboxId, CancellationToken cancellationToken)
    {
        SandboxInfo? sandbox;
        try
        {
            sandbox = await _controller.GetSandboxAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        }
        catch (NotFoundException)
        {
            sandbox = null;
        }

        _running.TryGetValue(sandboxId, out var running);
        if (sandbox is null)
        {
            // The namespace went with the sandbox, and its rules with it.
            if (running is not null)
            {
                await StopAsync(sandboxId, running, removeRedirect: false).ConfigureAwait(false);
            }
            return false;
        }

        var networks = new List<NetworkInfo>(sandbox.Endpoints.Count);
        foreach (var endpoint in sandbox.Endpoints)
        {
            try
            {
                networks.Add(await _controller.GetNetworkAsync(endpoint.NetworkId, cancellationToken).ConfigureAwait(false));
            }
            catch (NotFoundException)
            {
                // Deleted meanwhile: its leave event follows.
            }
        }

        if (!networks.Any(DefaultNetwork.HasResolver))
        {
            if (running is not null)
            {
                await StopAsync(sandboxId, running, removeRedirect: true).ConfigureAwait(false);
            }
            return false;
        }

        // Docker's rule: a sandbox only on internal networks has no way out, so nothing is forwarded.
        var forward = networks.Any(n => !n.Internal);
        if (running is not null)
        {
            if (running.ForwardExternal == forward && string.Equals(running.Key, sandbox.Key, StringComparison.Ordinal))
            {
                return true;
            }
            await StopAsync(sandboxId, running, removeRedirect: false).ConfigureAwait(false);
        }

        return await StartLockedAsync(sandbox, forward, cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> StartLockedAsync(SandboxInfo sandbox, bool forward, CancellationToken cancellationToken)
    {
        NetworkNamespace? ns = null;
        SandboxDnsServer? server = null;
        try
        {
            ns = NetworkNamespace.Open(sandbox.Key);
            var options = new EmbeddedResolverOptions
            {
                SandboxId = sandbox.Id,
                UpstreamServers = forward ? ChooseUpstreams(sandbox) : [],
                ForwardExternal = forward,
            };
            server = SandboxDnsServer.Start(ns, options, _table, loggers: _loggers);
            if (server.Redirect is { } redirect)
            {
                var firewall = FirewallBackends.Create(_firewallBackend, ns, _loggers);
                try
                {
                    await firewall.ApplyAsync(DnsRedirectRules.ToRuleSet(redirect), cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    (firewall as IDisposable)?.Dispose();
                }
            }
            _running[sandbox.Id] = new Running(server, ns, sandbox.Key, forward);
            DnsLog.ResolverStarted(_logger, sandbox.Id, server.UdpEndpoint.Port, server.TcpEndpoint.Port, forward);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            DnsLog.ResolverStartFailed(_logger, sandbox.Id, e);
            if (server is not null)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }
            ns?.Dispose();
            return false;
        }
    }

    private async Task StopAsync(string sandboxId, Running running, bool removeRedirect)
    {
        _running.Remove(sandboxId);
        await running.Server.DisposeAsync().ConfigureAwait(false);
        if (removeRedirect)
        {
            try
            {
                var firewall = FirewallBackends.Create(_firewallBackend, running.Namespace, _loggers);
                try
                {
                    await firewall.RemoveOwnerAsync(DnsRedirectRules.Owner, IpFamily.IPv4, CancellationToken.None).ConfigureAwait(false);
                }
                finally
                {
                    (firewall as IDisposable)?.Dispose();
                }
            }
            catch (FirewallException e)
            {
                DnsLog.RedirectRemoveFailed(_logger, sandboxId, e);
            }
        }
        running.Namespace.Dispose();
        DnsLog.ResolverStopped(_logger, sandboxId);
    }

    /// <summary>
    /// The container's <c>--dns</c>, else the daemon's <c>dns</c>, else the host's resolv.conf. The
    /// host's loopback servers (systemd-resolved's 127.0.0.53) are not reachable from inside a
    /// sandbox, so they are left out, as Docker filters them.
    /// </summary>
    private IReadOnlyList<IPEndPoint> ChooseUpstreams(SandboxInfo sandbox)
    {
        var containerDns = sandbox.DnsServers
            .Select(s => IPAddress.TryParse(s, out var a) ? a : null)
            .OfType<IPAddress>()
            .ToArray();
        return UpstreamServers.Choose(containerDns, _daemonDns, ReadHostNameservers);
    }

    private static IReadOnlyList<IPAddress> ReadHostNameservers()
    {
        try
        {
            return [.. ResolvConf.ReadNameservers(HostResolvConf).Where(a => !IPAddress.IsLoopback(a))];
        }
        catch (IOException)
        {
            return [];
        }
    }

    private sealed record Running(SandboxDnsServer Server, NetworkNamespace Namespace, string Key, bool ForwardExternal);
}
