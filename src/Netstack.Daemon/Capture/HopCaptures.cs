using Netstack.Api.Contracts.Capture;
using Netstack.Capture.Sessions;
using Netstack.Capture.Trace;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Linux;

namespace Netstack.Daemon.Capture;

/// <summary>
/// The captures of a trace on one host: one per hop, each with the kernel filter that keeps only
/// what the probe may look like there, counting what the <see cref="ProbeMatcher"/> recognises. A
/// hop that cannot be opened (an interface that is gone) is reported in its <see cref="TraceHop"/>
/// and the others still listen. <see cref="FinishAsync"/> reads what the kernel still holds and
/// closes every capture; nothing stays open after it, whatever happened.
/// </summary>
internal sealed class HopCaptures
{
    private readonly List<(CaptureSession Session, Task Counting)> _listening = [];

    private HopCaptures()
    {
    }

    /// <summary>The hops in path order, with what each saw so far.</summary>
    public List<TraceHop> Hops { get; } = [];

    /// <summary>One line per hop that could not be captured.</summary>
    public List<string> Notes { get; } = [];

    /// <summary>Opens a capture at every hop; <paramref name="node"/> names the host in each hop (null: this daemon's own).</summary>
    public static async Task<HopCaptures> OpenAsync(IReadOnlyList<(CapturePoint Point, string Filter)> hops, ProbeMatcher matcher, string? node, CancellationToken ct)
    {
        var captures = new HopCaptures();
        try
        {
            foreach (var (point, filter) in hops)
            {
                var hop = new TraceHop
                {
                    Interface = point.InterfaceName,
                    Role = node is null ? point.Role : $"{node}: {point.Role}",
                    Node = node,
                    Namespace = point.NamespacePath,
                    LinkState = LinkState(point),
                };
                captures.Hops.Add(hop);
                var settings = new CaptureSettings { Filter = filter, Snaplen = 512, BufferBytes = 2 * 1024 * 1024, Immediate = true };
                try
                {
                    var session = await Task.Run(() => CaptureSession.Open([point], settings), ct).ConfigureAwait(false);
                    session.Start();
                    captures._listening.Add((session, CountAsync(hop, session, matcher)));
                }
                catch (Exception e) when (e is NetstackException or InvalidOperationException)
                {
                    hop.Error = e.Message;
                    captures.Notes.Add($"{hop.Role}: not captured: {e.Message}");
                }
            }
            return captures;
        }
        catch
        {
            await captures.FinishAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Lets every capture read what its kernel buffer still holds, then closes it.</summary>
    public async Task FinishAsync()
    {
        foreach (var (session, _) in _listening)
        {
            session.Finish();
        }
        foreach (var (session, counting) in _listening)
        {
            await counting.ConfigureAwait(false);
            session.Dispose();
        }
        _listening.Clear();
    }

    /// <summary>What rtnetlink says of the hop's interface, in its namespace; null when it cannot be asked.</summary>
    private static string? LinkState(CapturePoint point)
    {
        try
        {
            using var ns = point.NamespacePath is null ? null : NetworkNamespace.Open(point.NamespacePath);
            using var netlink = ns is null ? NetlinkHandle.Open() : NetlinkHandle.Open(ns);
            return netlink.LinkFind(point.InterfaceName) switch
            {
                null => "gone",
                { IsUp: false } => "down",
                { OperState: 2 } => "no-carrier", // IF_OPER_DOWN (RFC 2863) while set up: the veth peer or lower device is down
                _ => "up",
            };
        }
        catch (Exception e) when (e is NetlinkException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static async Task CountAsync(TraceHop hop, CaptureSession session, ProbeMatcher matcher)
    {
        await foreach (var batch in session.Batches.ReadAllAsync().ConfigureAwait(false))
        {
            Count(hop, batch, matcher);
            batch.Release();
        }
    }

    private static void Count(TraceHop hop, CaptureBatch batch, ProbeMatcher matcher)
    {
        foreach (var frame in new PcapRecords(batch.Records))
        {
            switch (matcher.Classify(frame.Data))
            {
                case ProbeFrame.Request: hop.RequestsSeen++; break;
                case ProbeFrame.Reply: hop.RepliesSeen++; break;
                case ProbeFrame.ArpRequest: hop.ArpRequestsSeen++; break;
                case ProbeFrame.ArpReply: hop.ArpRepliesSeen++; break;
            }
        }
    }
}
