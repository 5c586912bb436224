using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Netstack.Api.Contracts.Capture;
using Netstack.Capture.Trace;
using Netstack.Controller;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Daemon.Gossip;
using Netstack.Gossip;
using Netstack.Gossip.Membership;

namespace Netstack.Daemon.Capture;

/// <summary>A node that captures for a trace: its name, the trace's id, and its hops as they were opened.</summary>
internal sealed record RemoteListening(string Node, string Id, IReadOnlyList<TraceHop> Hops);

/// <summary>
/// The part of a trace that happens on the destination's host, when that is another node of the
/// probe's overlay network. Daemons already talk over gossip (UDP and TCP 7946, sealed with the
/// cluster's AES-GCM key ring), and the API socket is local to each host, so the request travels
/// as gossip user messages (<see cref="RemoteTraceMessage"/>): only a live member that holds the
/// key can ask, and only for a probe of a network and destination it names. The destination's
/// daemon captures its underlay, the network's VXLAN device and br0, and the destination's
/// interface, for at most <see cref="MaxSeconds"/> (it stops by itself then, whether the tracing
/// daemon said stop or went away), and sends back what each hop saw. At most
/// <see cref="MaxActive"/> remote traces run at once on a node.
/// </summary>
internal sealed class RemoteTrace(GossipService gossip, INetworkController controller, CaptureTargets targets, ILogger<RemoteTrace> logger) : IHostedService
{
    /// <summary>Longest a node captures for another's trace: the longest trace timeout (30 s) and its margins.</summary>
    public const double MaxSeconds = 35;

    private const int MaxActive = 4;
    private const int MaxIdLength = 64;

    // How long the tracing daemon waits for each answer: the remote opens a few captures first, or
    // reads its kernel buffers and closes them before it sends the hops.
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(5);

    // After stop, the remote listens this much longer (a reply still on its way through its last hops).
    private static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(300);

    private readonly ConcurrentDictionary<(string Id, string Kind, string Node), TaskCompletionSource<RemoteTraceMessage>> _waiting = new();
    private readonly ConcurrentDictionary<(string Id, string Node), CancellationTokenSource> _serving = new();
    private readonly CancellationTokenSource _stopping = new();
    private GossipNode? _node;

    /// <summary>This daemon's node name; null when gossip is off (no remote hops then).</summary>
    public string? NodeName => _node?.Name;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _node = gossip.Node;
        if (_node is not null)
        {
            _node.UserMessageReceived += OnMessage;
        }
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_node is not null)
        {
            _node.UserMessageReceived -= OnMessage;
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Asks <paramref name="nodes"/> to capture for the trace of <paramref name="listen"/>; the one
    /// that has the destination answers with its hops, the others that they have not. What went
    /// wrong with a node (unreachable, no answer, refused) goes into <paramref name="notes"/>.
    /// </summary>
    public async Task<RemoteListening?> ListenAsync(IReadOnlyList<string> nodes, RemoteTraceMessage listen, List<string> notes, CancellationToken ct)
    {
        if (_node is not { } self || nodes.Count == 0)
        {
            return null;
        }
        listen.Kind = RemoteTraceMessage.Listen;
        // Asked at once; each answer (or what went wrong) is gathered, then the notes are added in order.
        var asked = nodes.Select(async node =>
        {
            var answer = Expect(listen.Id, RemoteTraceMessage.Listening, node);
            if (!await SendAsync(self, node, listen, ct).ConfigureAwait(false))
            {
                Forget(listen.Id, RemoteTraceMessage.Listening, node);
                return ((RemoteListening?)null, (string?)$"{node} could not be reached over gossip: its hops are not captured");
            }
            var message = await WaitAsync(answer, listen.Id, RemoteTraceMessage.Listening, node, ct).ConfigureAwait(false);
            if (message is null)
            {
                return (null, $"{node} did not answer the trace request in {AnswerTimeout.TotalSeconds:0} s: its hops are not captured");
            }
            if (message.Error is { } error)
            {
                return (null, $"{node} does not capture for this trace: {error}");
            }
            return (message.NotHere || message.Hops is null ? null : new RemoteListening(node, listen.Id, message.Hops), null);
        }).ToList();
        var answers = await Task.WhenAll(asked).ConfigureAwait(false);
        notes.AddRange(answers.Select(a => a.Item2).OfType<string>());
        var listening = answers.Select(a => a.Item1).OfType<RemoteListening>().ToList();
        // One address is on one node; should two answer (a duplicate address), the others stop now.
        foreach (var extra in listening.Skip(1))
        {
            await SendAsync(self, extra.Node, new RemoteTraceMessage { Kind = RemoteTraceMessage.Stop, Id = extra.Id }, ct).ConfigureAwait(false);
            notes.Add($"{extra.Node} also has {listen.Destination}: only {listening[0].Node}'s hops are shown");
        }
        return listening.FirstOrDefault();
    }

    /// <summary>Tells the node to stop and returns what its hops saw; null (and a note) when its answer does not come.</summary>
    public async Task<RemoteTraceMessage?> StopAsync(RemoteListening remote, List<string> notes, CancellationToken ct)
    {
        if (_node is not { } self)
        {
            return null;
        }
        var answer = Expect(remote.Id, RemoteTraceMessage.HopsKind, remote.Node);
        if (!await SendAsync(self, remote.Node, new RemoteTraceMessage { Kind = RemoteTraceMessage.Stop, Id = remote.Id }, ct).ConfigureAwait(false))
        {
            // It stops at its own deadline; its hops may still come.
            notes.Add($"{remote.Node} could not be told to stop: it stops at its deadline");
        }
        var hops = await WaitAsync(answer, remote.Id, RemoteTraceMessage.HopsKind, remote.Node, ct).ConfigureAwait(false);
        if (hops is null)
        {
            notes.Add($"{remote.Node} did not send what its hops saw in {AnswerTimeout.TotalSeconds:0} s");
        }
        return hops;
    }

    private TaskCompletionSource<RemoteTraceMessage> Expect(string id, string kind, string node)
    {
        var answer = new TaskCompletionSource<RemoteTraceMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[(id, kind, node)] = answer;
        return answer;
    }

    private void Forget(string id, string kind, string node) => _waiting.TryRemove((id, kind, node), out _);

    private async Task<RemoteTraceMessage?> WaitAsync(TaskCompletionSource<RemoteTraceMessage> answer, string id, string kind, string node, CancellationToken ct)
    {
        try
        {
            return await answer.Task.WaitAsync(AnswerTimeout, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return null;
        }
        finally
        {
            Forget(id, kind, node);
        }
    }

    private async Task<bool> SendAsync(GossipNode self, string node, RemoteTraceMessage message, CancellationToken ct)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(message, RemoteTraceJsonContext.Default.RemoteTraceMessage);
        if (payload.Length > GossipNode.MaxUserMessage)
        {
            CaptureLog.RemoteTraceFailed(logger, node, message.Id, $"{message.Kind} of {payload.Length} bytes is too large for a user message");
            return false;
        }
        return await self.SendUserMessageAsync(node, payload, ct).ConfigureAwait(false);
    }

    private void OnMessage(object? sender, UserMessageEventArgs e)
    {
        RemoteTraceMessage? message;
        try
        {
            message = JsonSerializer.Deserialize(e.Payload.Span, RemoteTraceJsonContext.Default.RemoteTraceMessage);
        }
        catch (JsonException ex)
        {
            CaptureLog.RemoteTraceFailed(logger, e.From, "", "not a trace message: " + ex.Message);
            return;
        }
        if (message is null || string.IsNullOrEmpty(message.Id) || message.Id.Length > MaxIdLength)
        {
            CaptureLog.RemoteTraceFailed(logger, e.From, "", "a trace message without a valid id");
            return;
        }
        switch (message.Kind)
        {
            case RemoteTraceMessage.Listen:
                // The gossip node's thread must not wait for captures to open.
                _ = Task.Run(() => ServeAsync(e.From, message), CancellationToken.None);
                break;
            case RemoteTraceMessage.Stop:
                if (_serving.TryGetValue((message.Id, e.From), out var stop))
                {
                    stop.Cancel();
                }
                break;
            case RemoteTraceMessage.Listening:
            case RemoteTraceMessage.HopsKind:
                if (_waiting.TryRemove((message.Id, message.Kind, e.From), out var waiter))
                {
                    waiter.TrySetResult(message);
                }
                break;
            default:
                CaptureLog.RemoteTraceFailed(logger, e.From, message.Id, $"unknown kind '{message.Kind}'");
                break;
        }
    }

    /// <summary>The destination's side: capture its hops for the asker's probe, bounded in time, then send what they saw.</summary>
    private async Task ServeAsync(string from, RemoteTraceMessage request)
    {
        if (_node is not { } self)
        {
            return;
        }
        var ct = _stopping.Token;
        RemoteTraceMessage Answer() => new() { Kind = RemoteTraceMessage.Listening, Id = request.Id };
        try
        {
            var plan = await PlanAsync(request, ct).ConfigureAwait(false);
            if (plan is null)
            {
                await SendAsync(self, from, new RemoteTraceMessage { Kind = RemoteTraceMessage.Listening, Id = request.Id, NotHere = true }, ct).ConfigureAwait(false);
                return;
            }
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            stop.CancelAfter(TimeSpan.FromSeconds(request.Seconds));
            if (_serving.Count >= MaxActive || !_serving.TryAdd((request.Id, from), stop))
            {
                var busy = Answer();
                busy.Error = $"{self.Name} already captures for {MaxActive} traces; try again";
                await SendAsync(self, from, busy, ct).ConfigureAwait(false);
                return;
            }
            HopCaptures? captures = null;
            try
            {
                CaptureLog.RemoteTraceServing(logger, from, request.Id, request.Destination ?? "", request.Seconds);
                captures = await HopCaptures.OpenAsync(plan.Value.Hops, plan.Value.Matcher, self.Name, ct).ConfigureAwait(false);
                var listening = Answer();
                listening.Hops = captures.Hops;
                if (!await SendAsync(self, from, listening, ct).ConfigureAwait(false))
                {
                    return;
                }
                try
                {
                    await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    // Told to stop, or the deadline passed.
                }
                await Task.Delay(Grace, ct).ConfigureAwait(false);
            }
            finally
            {
                if (captures is not null)
                {
                    await captures.FinishAsync().ConfigureAwait(false);
                }
                _serving.TryRemove((request.Id, from), out _);
            }
            await SendAsync(self, from, new RemoteTraceMessage { Kind = RemoteTraceMessage.HopsKind, Id = request.Id, Hops = captures.Hops, Notes = captures.Notes }, ct).ConfigureAwait(false);
        }
        catch (NetstackException e)
        {
            var refused = Answer();
            refused.Error = e.Message;
            await SendAsync(self, from, refused, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The daemon is stopping; the captures are closed.
        }
#pragma warning disable CA1031 // a failure here is the asker's missing hops, never the daemon's end
        catch (Exception e)
#pragma warning restore CA1031
        {
            CaptureLog.RemoteTraceFailed(logger, from, request.Id, e.Message);
        }
    }

    /// <summary>The hops of this node for the probe, on the way in; null when the destination is not here.</summary>
    private async Task<(IReadOnlyList<(CapturePoint, string)> Hops, ProbeMatcher Matcher)?> PlanAsync(RemoteTraceMessage request, CancellationToken ct)
    {
        if (!(request.Seconds > 0 && request.Seconds <= MaxSeconds))
        {
            throw new InvalidParameterException("seconds", request.Seconds.ToString(CultureInfo.InvariantCulture), $"a remote trace captures more than 0 and at most {MaxSeconds} seconds");
        }
        var source = V4("source", request.Source);
        var destination = V4("destination", request.Destination);
        if (string.IsNullOrEmpty(request.NetworkId))
        {
            throw new InvalidParameterException("network", "", "name the overlay network of the probe");
        }
        NetworkInfo network;
        try
        {
            network = await controller.GetNetworkAsync(request.NetworkId, ct).ConfigureAwait(false);
        }
        catch (NotFoundException)
        {
            return null;
        }
        var target = (await controller.ListEndpointsAsync(null, ct).ConfigureAwait(false))
            .FirstOrDefault(e => e.NetworkId == network.Id && e.SandboxKey.Length > 0 && e.IPv4Address is { } a && a.Address.Equals(destination));
        if (target is null)
        {
            return null;
        }
        const string Local = "icmp or arp or tcp";
        var hops = new List<(CapturePoint, string)>();
        if (targets.UnderlayPlanOrNull() is { } underlay)
        {
            hops.AddRange(underlay.Points.Select(p => (p, underlay.BaseFilter ?? "udp")));
        }
        // On the way in: the VXLAN device decapsulates, br0 forwards to the destination's veth.
        hops.AddRange(targets.NetworkPoints(network).Reverse().Select(p => (p with { Role = $"{p.Role} of {network.Name}" }, Local)));
        var name = target.SandboxName.Length > 0 ? target.SandboxName : target.Name;
        hops.Add((new CapturePoint { NamespacePath = target.SandboxKey, InterfaceName = target.InterfaceName, Role = $"{target.InterfaceName} of {name} on {target.NetworkName}" }, Local));
        var matcher = new ProbeMatcher(source, destination, request.IcmpId, request.TcpSourcePort, request.TcpPort, destination, targets.VxlanPortNumber);
        return (hops, matcher);
    }

    private static IPAddress V4(string field, string? text) =>
        IPAddress.TryParse(text, out var address) && address.AddressFamily == AddressFamily.InterNetwork
            ? address
            : throw new InvalidParameterException(field, text ?? "", "an IPv4 address");
}
