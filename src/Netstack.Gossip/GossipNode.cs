using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Netstack.Gossip.Broadcast;
using Netstack.Gossip.Diagnostics;
using Netstack.Gossip.Membership;
using Netstack.Gossip.Security;
using Netstack.Gossip.Tables;
using Netstack.Gossip.Transport;
using Netstack.Gossip.Wire;

namespace Netstack.Gossip;

/// <summary>
/// One member of a gossip cluster: SWIM failure detection with Lifeguard's refinements,
/// piggybacked and periodic gossip, TCP push/pull, and the network-scoped tables in
/// <see cref="Tables"/>. All time comes from the injected <see cref="TimeProvider"/> and all
/// randomness from the injected <see cref="Random"/>, so a fake clock and a seed make a run exact.
/// </summary>
/// <remarks>
/// Concurrency: one lock guards the protocol state. Timer callbacks and received packets take it
/// briefly; events (<see cref="MemberChanged"/>, table subscriptions) are raised after it is
/// released, on the thread that caused them.
/// </remarks>
public sealed partial class GossipNode : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly GossipOptions _options;
    private readonly IGossipTransport _transport;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly ILogger _logger;
    private readonly PacketSealer _sealer;
    private readonly Dictionary<string, Member> _members = new(StringComparer.Ordinal);
    private readonly List<Member> _rotation = [];
    private readonly BroadcastQueue _broadcasts = new();
    private readonly Awareness _awareness;
    private readonly Queue<Action> _notifications = new();
    private readonly Member _self;
    private ITimer? _probeTimer;
    private ITimer? _probeTimeoutTimer;
    private ITimer? _gossipTimer;
    private ITimer? _pushPullTimer;
    private ITimer? _maintenanceTimer;
    private bool _started;
    private bool _stopped;
    private int _liveCount = -1;

    /// <summary>Creates a node; nothing is sent until <see cref="StartAsync"/>.</summary>
    /// <param name="options">Validated here; a bad field throws <see cref="ArgumentException"/>.</param>
    /// <param name="transport">UDP+TCP sockets (<see cref="UdpTcpTransport"/>) or an in-memory network.</param>
    /// <param name="keyring">AES-GCM keys; null sends and accepts only plain packets.</param>
    /// <param name="time">Clock for every timer (default: the system clock).</param>
    /// <param name="random">Source of every random choice (default: a shared generator).</param>
    /// <param name="logger">Logger for membership changes and dropped traffic.</param>
    public GossipNode(GossipOptions options, IGossipTransport transport, GossipKeyring? keyring = null,
        TimeProvider? time = null, Random? random = null, ILogger<GossipNode>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(transport);
        options.Validate();
        _options = options;
        _transport = transport;
        _time = time ?? TimeProvider.System;
        _random = random ?? Random.Shared;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _sealer = new PacketSealer(keyring);
        Keyring = keyring;
        _awareness = new Awareness(options.AwarenessMaxMultiplier);
        _self = new Member(options.NodeName, transport.LocalEndpoint, 1, MemberState.Alive, _time.GetUtcNow());
        _members[_self.Name] = _self;
        Tables = new NetworkDb(this);
    }

    /// <summary>
    /// Creates a node on real sockets: UDP and TCP bound to <see cref="GossipOptions.BindAddress"/>
    /// and <see cref="GossipOptions.BindPort"/>, the system clock, and loggers from
    /// <paramref name="loggers"/>. The node owns the sockets and closes them on dispose.
    /// </summary>
    public static GossipNode CreateWithSockets(GossipOptions options, GossipKeyring? keyring = null, ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var transport = UdpTcpTransport.Bind(options, loggers?.CreateLogger<UdpTcpTransport>());
        return new GossipNode(options, transport, keyring, TimeProvider.System, null, loggers?.CreateLogger<GossipNode>());
    }

    /// <summary>Raised when a member joins (or returns), leaves or is declared failed.</summary>
    public event EventHandler<MemberEventArgs>? MemberChanged;

    /// <summary>
    /// A user message from a live member (<see cref="SendUserMessageAsync"/> on its side), raised
    /// outside the node's lock; the handler must not block (hand work to a task).
    /// </summary>
    public event EventHandler<UserMessageEventArgs>? UserMessageReceived;

    /// <summary>Largest payload of a user message.</summary>
    public const int MaxUserMessage = ushort.MaxValue;

    /// <summary>This node's name.</summary>
    public string Name => _self.Name;

    /// <summary>Address other nodes use to reach this node.</summary>
    public IPEndPoint Address => _self.Address;

    /// <summary>The network-scoped tables gossiped on top of this membership.</summary>
    public NetworkDb Tables { get; }

    /// <summary>Traffic and drop counters.</summary>
    public GossipCounters Counters { get; } = new();

    /// <summary>The key ring (null when gossip is not encrypted); keys may be changed at run time.</summary>
    public GossipKeyring? Keyring { get; }

    /// <summary>Lifeguard health score: 0 is healthy; timeouts are multiplied by score + 1.</summary>
    public int HealthScore
    {
        get { lock (_gate) { return _awareness.Score; } }
    }

    /// <summary>Every member this node knows, itself included, ordered by name.</summary>
    public IReadOnlyList<MemberInfo> Members
    {
        get
        {
            lock (_gate)
            {
                return _members.Values.Select(m => m.ToInfo()).OrderBy(m => m.Name, StringComparer.Ordinal).ToList();
            }
        }
    }

    internal GossipOptions Options => _options;

    internal TimeProvider Time => _time;

    internal Random Random => _random;

    internal object Gate => _gate;

    internal ILogger Logger => _logger;

    /// <summary>Starts receiving and the probe, gossip and push/pull timers.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_started)
            {
                throw new InvalidOperationException($"gossip node '{Name}' is already started");
            }
            _started = true;
            _transport.Start(OnReceive);
            // Random first delays stagger the nodes' rounds, as memberlist's randomStagger does.
            _probeTimer = _time.CreateTimer(static s => ((GossipNode)s!).ProbeTick(), this, Stagger(_options.ProbeInterval), Timeout.InfiniteTimeSpan);
            _probeTimeoutTimer = _time.CreateTimer(static s => ((GossipNode)s!).ProbeTimeoutTick(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _gossipTimer = _time.CreateTimer(static s => ((GossipNode)s!).GossipTick(), this, Stagger(_options.GossipInterval), _options.GossipInterval);
            _pushPullTimer = _time.CreateTimer(static s => ((GossipNode)s!).PushPullTick(), this, Stagger(_options.PushPullInterval), Timeout.InfiniteTimeSpan);
            _maintenanceTimer = _time.CreateTimer(static s => ((GossipNode)s!).MaintenanceTick(), this, MaintenancePeriod, MaintenancePeriod);
            Log.Started(_logger, Name, Address);
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// Contacts the given peers with a full-state push/pull (TCP). Returns how many peers were
    /// reached; the member list fills in as their answers and the gossip arrive.
    /// </summary>
    public async Task<int> JoinAsync(IEnumerable<IPEndPoint> peers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(peers);
        var reached = 0;
        foreach (var peer in peers)
        {
            byte[] frame;
            lock (_gate)
            {
                frame = SealStream(w => EncodePushPull(w, PushPullFlags.Join, null));
            }
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cts.CancelAfter(_options.TcpTimeout);
            bool ok;
            try
            {
                ok = await _transport.SendStreamAsync(peer, frame, cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                ok = false;
            }
            if (ok)
            {
                Counters.Sent(frame.Length, stream: true);
                reached++;
            }
            else
            {
                Log.JoinFailed(_logger, Name, peer);
            }
        }
        return reached;
    }

    /// <summary>
    /// Sends <paramref name="payload"/> to the live member <paramref name="member"/> over TCP, sealed
    /// with the key ring as gossip is. True when it was delivered to the member's transport; false
    /// when the member is not live or cannot be reached within the TCP timeout.
    /// </summary>
    public async Task<bool> SendUserMessageAsync(string member, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(member);
        if (payload.Length > MaxUserMessage)
        {
            throw new ArgumentException($"a user message holds at most {MaxUserMessage} bytes, not {payload.Length}", nameof(payload));
        }
        IPEndPoint? to;
        byte[] frame;
        lock (_gate)
        {
            to = member == Name || !IsLiveMember(member) ? null : AddressOf(member);
            if (to is null)
            {
                return false;
            }
            frame = SealStream(w =>
            {
                w.WriteByte((byte)MessageType.User);
                w.WriteString(Name);
                w.WriteBlob(payload.Span);
            });
        }
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(_options.TcpTimeout);
        bool ok;
        try
        {
            ok = await _transport.SendStreamAsync(to, frame, cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            ok = false;
        }
        if (ok)
        {
            Counters.Sent(frame.Length, stream: true);
        }
        else
        {
            Log.StreamFailed(_logger, Name, to);
        }
        return ok;
    }

    /// <summary>
    /// Tells the cluster this node leaves (peers mark it Left, not Failed, and drop its table
    /// entries), waits until the message went out or <paramref name="timeout"/> passed, then stops.
    /// </summary>
    public async Task LeaveAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }
            _self.State = MemberState.Left;
            _liveCount = -1;
            _self.Since = _time.GetUtcNow();
            _broadcasts.Enqueue(Subject(Name), Messages.Accusation(MessageType.Dead, _self.Incarnation, Name, Name), onFirstSend: () => sent.TrySetResult());
            // Send at once rather than waiting for the next gossip round.
            GossipRoundLocked();
        }
        Flush();
        try
        {
            await sent.Task.WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Log.LeaveTimedOut(_logger, Name);
        }
        Stop();
    }

    /// <summary>Stops all timers and ignores further input without telling anyone (like a crash).</summary>
    public void Stop()
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }
            _stopped = true;
            _probeTimer?.Dispose();
            _probeTimeoutTimer?.Dispose();
            _gossipTimer?.Dispose();
            _pushPullTimer?.Dispose();
            _maintenanceTimer?.Dispose();
            foreach (var member in _members.Values)
            {
                member.Suspicion?.Dispose();
                member.Suspicion = null;
            }
            DisposeAckWaitersLocked();
        }
    }

    /// <summary>Stops the node and disposes its transport.</summary>
    public async ValueTask DisposeAsync()
    {
        Stop();
        await _transport.DisposeAsync().ConfigureAwait(false);
    }

    // networkdb reaps every 5 s (reapPeriod); one maintenance timer does tombstone and member reaping.
    private static readonly TimeSpan MaintenancePeriod = TimeSpan.FromSeconds(5);

    private TimeSpan Stagger(TimeSpan interval) => TimeSpan.FromTicks((long)(_random.NextDouble() * interval.Ticks));

    private static string Subject(string member) => "m:" + member;

    internal void Enqueue(string subject, byte[] message, string? network) => _broadcasts.Enqueue(subject, message, network);

    internal void RemoveNetworkBroadcasts(string network) => _broadcasts.RemoveNetwork(network);

    internal void Notify(Action action) => _notifications.Enqueue(action);

    internal bool IsLiveMember(string name) => _members.TryGetValue(name, out var m) && m.IsAliveOrSuspect;

    internal MemberState? StateOf(string name) => _members.TryGetValue(name, out var m) ? m.State : null;

    internal IPEndPoint? AddressOf(string name) => _members.TryGetValue(name, out var m) ? m.Address : null;

    /// <summary>Alive and suspect members, this node included; cached until a state changes (it is asked per packet).</summary>
    internal int LiveMemberCount()
    {
        if (_liveCount >= 0)
        {
            return _liveCount;
        }
        var n = 0;
        foreach (var m in _members.Values)
        {
            if (m.IsAliveOrSuspect)
            {
                n++;
            }
        }
        _liveCount = n;
        return n;
    }

    /// <summary>Raises queued events outside the lock, in order.</summary>
    internal void Flush()
    {
        while (true)
        {
            Action? next;
            lock (_gate)
            {
                if (!_notifications.TryDequeue(out next))
                {
                    return;
                }
            }
            try
            {
                next();
            }
#pragma warning disable CA1031 // a subscriber's bug must not stop the protocol
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.SubscriberFailed(_logger, Name, ex);
            }
        }
    }

    private void RaiseMember(MemberEventKind kind, Member member)
    {
        var info = member.ToInfo();
        switch (kind)
        {
            case MemberEventKind.Joined:
                Log.MemberJoined(_logger, Name, info.Name, info.Address);
                break;
            case MemberEventKind.Left:
                Log.MemberLeft(_logger, Name, info.Name);
                break;
            default:
                Log.MemberFailed(_logger, Name, info.Name);
                break;
        }
        _notifications.Enqueue(() => MemberChanged?.Invoke(this, new MemberEventArgs(kind, info)));
    }
}
