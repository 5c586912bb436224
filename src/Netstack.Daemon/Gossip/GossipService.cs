using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Netstack.Daemon.Hosting;
using Netstack.Gossip;
using Netstack.Gossip.Membership;
using Netstack.Gossip.Security;

namespace Netstack.Daemon.Gossip;

/// <summary>
/// Runs this daemon's gossip node: binds and starts it with the host, joins the <c>--join</c> peers and
/// the peers known from its last run (<see cref="KnownPeers"/>) in the background with backoff (start
/// never waits for peers), joins again when no other node is left alive, logs membership changes,
/// keeps the known-peers file current, and leaves gracefully on shutdown.
/// </summary>
internal sealed class GossipService : IHostedService, IAsyncDisposable
{
    // Backoff between join attempts: from 1 s doubling to 30 s, memberlist's push/pull interval.
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(30);

    // After a peer took our push/pull over TCP, its answer and first gossip arrive within a few
    // probe rounds; with a wrong key they never do (the peer drops what it cannot decrypt).
    private static readonly TimeSpan AcceptWait = TimeSpan.FromSeconds(5);

    // How often a joined node checks it still has live peers (networkdb rejoins every 60 s).
    private static readonly TimeSpan IsolationCheck = TimeSpan.FromSeconds(30);

    // A graceful leave waits at most this long for the leave message to go out.
    private static readonly TimeSpan LeaveTimeout = TimeSpan.FromSeconds(2);

    // Membership changes come in bursts (a node joining learns the whole cluster at once): the
    // known-peers file is written at most this often, and once more on stop.
    private static readonly TimeSpan PeersFlushInterval = TimeSpan.FromSeconds(2);

    private readonly GossipDaemonOptions _options;
    private readonly string _knownPeersPath;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private GossipSettings? _settings;
    private Task _joinLoop = Task.CompletedTask;
    private Task _flushLoop = Task.CompletedTask;
    private KnownPeers? _knownPeers;
    private int _disposed;

    private readonly GossipDriverTables? _tables;

    public GossipService(IOptions<GossipDaemonOptions> options, IOptions<DaemonOptions> daemon, ILoggerFactory loggers, TimeProvider time, GossipDriverTables? tables = null)
    {
        _tables = tables;
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(daemon);
        _options = options.Value;
        _knownPeersPath = KnownPeers.PathUnder(daemon.Value.Root);
        _loggers = loggers;
        _logger = loggers.CreateLogger<GossipService>();
        _time = time;
    }

    /// <summary>The running node; null when gossip is off (no <c>--advertise-addr</c>) or before start.</summary>
    public GossipNode? Node { get; private set; }

    private string Encryption => _settings?.Key is null ? "unencrypted" : "AES-GCM";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        _settings = GossipSettings.Resolve(_options, failures);
        if (_settings is null)
        {
            // Off, or invalid (then ValidateOnStart has already stopped the host).
            return;
        }
        var options = new GossipOptions
        {
            NodeName = _settings.NodeName,
            BindAddress = _settings.Listen.Address,
            BindPort = _settings.Listen.Port,
            AdvertiseAddress = _settings.Advertise,
        };
        GossipNode node;
        try
        {
            node = GossipNode.CreateWithSockets(options, _settings.Key is { } key ? new GossipKeyring(key) : null, _loggers);
        }
        catch (SocketException e)
        {
            throw new GossipStartException($"--listen-addr {_settings.Listen}: cannot bind the gossip UDP and TCP port: {e.Message}", e);
        }
        _knownPeers = KnownPeers.Load(_knownPeersPath, line => GossipLog.KnownPeerSkipped(_logger, _knownPeersPath, line));
        node.MemberChanged += OnMemberChanged;
        await node.StartAsync(cancellationToken).ConfigureAwait(false);
        Node = node;
        _tables?.Attach(node);
        GossipLog.Started(_logger, node.Name, _settings.Listen, node.Address, Encryption);
        var remembered = _knownPeers.EndpointsExcept(node.Name).Where(p => !p.Equals(node.Address) && !_settings.Join.Contains(p)).ToList();
        if (remembered.Count > 0)
        {
            GossipLog.KnownPeersLoaded(_logger, remembered.Count, _knownPeersPath);
        }
        IReadOnlyList<IPEndPoint> peers = [.. _settings.Join, .. remembered];
        if (peers.Count > 0)
        {
            _joinLoop = Task.Run(() => JoinLoopAsync(node, peers, _stopping.Token), CancellationToken.None);
        }
        _flushLoop = Task.Run(() => FlushLoopAsync(_stopping.Token), CancellationToken.None);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var loop in new[] { _joinLoop, _flushLoop })
        {
            try
            {
                await loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The loops end by cancellation.
            }
        }
        FlushKnownPeers();
        if (Node is { } node)
        {
            GossipLog.Leaving(_logger);
            await node.LeaveAsync(LeaveTimeout, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task FlushLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            await Task.Delay(PeersFlushInterval, _time, ct).ConfigureAwait(false);
            FlushKnownPeers();
        }
    }

    private void FlushKnownPeers()
    {
        try
        {
            _knownPeers?.Flush();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            GossipLog.KnownPeersWriteFailed(_logger, _knownPeersPath, e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // The container disposes this twice: as the singleton and as the hosted service made from it.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (Node is { } node)
        {
            node.MemberChanged -= OnMemberChanged;
            await node.DisposeAsync().ConfigureAwait(false);
        }
        _stopping.Dispose();
    }

    /// <summary>Alive or suspect members other than this node.</summary>
    private static int LivePeers(GossipNode node) =>
        node.Members.Count(m => m.Name != node.Name && m.State is MemberState.Alive or MemberState.Suspect);

    private async Task JoinLoopAsync(GossipNode node, IReadOnlyList<IPEndPoint> peers, CancellationToken ct)
    {
        var peerList = string.Join(",", peers);
        var delay = FirstRetry;
        while (!ct.IsCancellationRequested)
        {
            var reached = 0;
            try
            {
                reached = await node.JoinAsync(peers, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                GossipLog.JoinFault(_logger, e);
            }
            if (reached > 0 && await WaitForPeersAsync(node, ct).ConfigureAwait(false))
            {
                GossipLog.Joined(_logger, peerList, LivePeers(node) + 1);
                delay = FirstRetry;
                // Stay joined; should every other node fail, the next round joins the seeds again.
                while (LivePeers(node) > 0)
                {
                    await Task.Delay(IsolationCheck, _time, ct).ConfigureAwait(false);
                }
                GossipLog.Isolated(_logger, peerList);
                continue;
            }
            if (reached > 0)
            {
                GossipLog.JoinNotAccepted(_logger, reached, peerList, Encryption, delay.TotalSeconds);
            }
            else
            {
                GossipLog.JoinUnreachable(_logger, peerList, delay.TotalSeconds);
            }
            await Task.Delay(delay, _time, ct).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetry.Ticks));
        }
    }

    private async Task<bool> WaitForPeersAsync(GossipNode node, CancellationToken ct)
    {
        var deadline = _time.GetUtcNow() + AcceptWait;
        while (LivePeers(node) == 0)
        {
            if (_time.GetUtcNow() >= deadline)
            {
                return false;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), _time, ct).ConfigureAwait(false);
        }
        return true;
    }

    private void OnMemberChanged(object? sender, MemberEventArgs e)
    {
        switch (e.Kind)
        {
            case MemberEventKind.Joined:
                GossipLog.NodeJoined(_logger, e.Member.Name, e.Member.Address);
                _knownPeers?.Seen(e.Member.Name, e.Member.Address);
                break;
            case MemberEventKind.Left:
                GossipLog.NodeLeft(_logger, e.Member.Name, e.Member.Address);
                _knownPeers?.Left(e.Member.Name);
                break;
            default:
                GossipLog.NodeFailed(_logger, e.Member.Name, e.Member.Address);
                break;
        }
    }
}
