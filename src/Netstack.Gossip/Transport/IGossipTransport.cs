using System.Net;

namespace Netstack.Gossip.Transport;

/// <summary>
/// Receives what a transport got: <paramref name="data"/> is one UDP packet or one TCP frame
/// payload (<paramref name="stream"/> true), from <paramref name="from"/> (for TCP the peer's
/// ephemeral port; replies go to the address inside the message). The span is only valid during
/// the call.
/// </summary>
public delegate void GossipReceiveHandler(ReadOnlySpan<byte> data, IPEndPoint from, bool stream);

/// <summary>
/// Moves gossip bytes: unreliable datagrams for probes and gossip, reliable one-shot streams for
/// push/pull and TCP pings. The node seals and parses; the transport only carries.
/// </summary>
public interface IGossipTransport : IAsyncDisposable
{
    /// <summary>The address other nodes reach this transport on.</summary>
    IPEndPoint LocalEndpoint { get; }

    /// <summary>Starts delivering received data to <paramref name="handler"/>.</summary>
    void Start(GossipReceiveHandler handler);

    /// <summary>Sends one datagram; loss is allowed, blocking is not.</summary>
    void SendPacket(IPEndPoint to, ReadOnlySpan<byte> packet);

    /// <summary>Delivers one frame reliably or fails (false) when the peer cannot be reached.</summary>
    Task<bool> SendStreamAsync(IPEndPoint to, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken);
}
