using System.Threading.Channels;
using Netstack.Linux.Netlink;
using Netstack.Linux.Netlink.Wire;

namespace Netstack.Linux;

/// <summary>
/// Kernel notifications from one namespace as a channel of typed events. A dedicated thread reads
/// the multicast socket and writes to <see cref="Reader"/>; dispose to stop. Equivalent to
/// <c>ip monitor link address neigh</c>.
/// </summary>
public sealed class NetlinkEventStream : IDisposable
{
    // The reader thread wakes this often to notice Dispose; events are delivered at once regardless.
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);
    private const int ReceiveBufferBytes = 256 * 1024;

    private readonly NetlinkSocket _socket;
    private readonly Channel<NetlinkEvent> _channel = Channel.CreateUnbounded<NetlinkEvent>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly Thread _thread;
    private volatile bool _stopping;

    private NetlinkEventStream(NetlinkSocket socket)
    {
        _socket = socket;
        _thread = new Thread(ReadLoop) { IsBackground = true, Name = "netlink events" };
        _thread.Start();
    }

    public ChannelReader<NetlinkEvent> Reader => _channel.Reader;

    /// <summary>Subscribes in <paramref name="ns"/> (or the caller's namespace when null).</summary>
    public static NetlinkEventStream Open(NetlinkEventGroups groups, NetworkNamespace? ns = null)
    {
        if (groups == NetlinkEventGroups.None)
        {
            throw new ArgumentException("no event groups chosen", nameof(groups));
        }
        NetlinkSocket Create()
        {
            var socket = NetlinkSocket.Open();
            try
            {
                if (groups.HasFlag(NetlinkEventGroups.Link))
                {
                    socket.JoinGroup(Nl.RTNLGRP_LINK);
                }
                if (groups.HasFlag(NetlinkEventGroups.IPv4Address))
                {
                    socket.JoinGroup(Nl.RTNLGRP_IPV4_IFADDR);
                }
                if (groups.HasFlag(NetlinkEventGroups.IPv6Address))
                {
                    socket.JoinGroup(Nl.RTNLGRP_IPV6_IFADDR);
                }
                if (groups.HasFlag(NetlinkEventGroups.Neighbour))
                {
                    socket.JoinGroup(Nl.RTNLGRP_NEIGH);
                }
                socket.SetReceiveTimeout(PollInterval);
                return socket;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        return new NetlinkEventStream(ns is null ? Create() : ns.Run(Create));
    }

    /// <summary>The events as an async sequence until <paramref name="cancellationToken"/> fires or the stream is disposed.</summary>
    public IAsyncEnumerable<NetlinkEvent> ReadAllAsync(CancellationToken cancellationToken = default) =>
        _channel.Reader.ReadAllAsync(cancellationToken);

    public void Dispose()
    {
        _stopping = true;
        _thread.Join();
        _socket.Dispose();
    }

    internal static NetlinkEvent? Decode(in NetlinkMessage message)
    {
        switch (message.Type)
        {
            case Nl.RTM_NEWLINK or Nl.RTM_DELLINK:
                return new LinkEvent(message.Type == Nl.RTM_DELLINK, LinkCodec.Parse(message.Payload));
            case Nl.RTM_NEWADDR or Nl.RTM_DELADDR:
                return new AddressEvent(message.Type == Nl.RTM_DELADDR, AddressCodec.Parse(message.Payload));
            case Nl.RTM_NEWNEIGH or Nl.RTM_DELNEIGH or Nl.RTM_GETNEIGH:
                var kind = message.Type switch
                {
                    Nl.RTM_NEWNEIGH => NeighbourEventKind.Added,
                    Nl.RTM_DELNEIGH => NeighbourEventKind.Deleted,
                    _ => NeighbourEventKind.Miss,
                };
                return new NeighbourEvent(kind, NeighbourCodec.Family(message.Payload) == Interop.AF_BRIDGE,
                    NeighbourCodec.ParseNeighbour(message.Payload));
            default:
                return null;
        }
    }

    private void ReadLoop()
    {
        var buffer = new byte[ReceiveBufferBytes];
        try
        {
            while (!_stopping)
            {
                var received = _socket.Receive(buffer, out var errno);
                if (received < 0)
                {
                    if (errno == Errno.EAGAIN)
                    {
                        continue;
                    }
                    if (errno == Errno.ENOBUFS)
                    {
                        _channel.Writer.TryWrite(new EventsLostEvent());
                        continue;
                    }
                    _channel.Writer.TryComplete(NetlinkException.Create("netlink events (recv)", errno));
                    return;
                }
                try
                {
                    var reader = new NetlinkMessageReader(buffer.AsSpan(0, received));
                    while (reader.TryRead(out var message))
                    {
                        if (Decode(message) is { } e)
                        {
                            _channel.Writer.TryWrite(e);
                        }
                    }
                }
                catch (NetlinkException)
                {
                    // A datagram that does not decode: the rest of it is lost, as when the socket
                    // overflows, and the consumer resynchronises the same way; the stream goes on.
                    _channel.Writer.TryWrite(new EventsLostEvent());
                }
            }
        }
#pragma warning disable CA1031 // handed to the consumer through the channel
        catch (Exception e)
#pragma warning restore CA1031
        {
            _channel.Writer.TryComplete(e);
            return;
        }
        _channel.Writer.TryComplete();
    }
}
