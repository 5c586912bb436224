using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Netstack.Upstream.Upnp;

/// <summary>A device that answered an SSDP search: who answered and where its description is.</summary>
public sealed record SsdpAnswer(IPAddress From, Uri Location, string SearchTarget);

/// <summary>
/// SSDP discovery (UPnP Device Architecture 1.1, section 1.3): an <c>M-SEARCH</c> to
/// 239.255.255.250:1900 from this host's LAN address, answered by unicast HTTP-over-UDP
/// <c>200 OK</c> datagrams with a <c>LOCATION</c> header. Answers are parsed strictly and bounded:
/// one datagram at most <see cref="MaxAnswer"/> bytes, only <c>http://</c> locations on the
/// answering host itself (a device cannot send us to fetch from a third machine).
/// </summary>
public static class Ssdp
{
    public static readonly IPEndPoint MulticastGroup = new(IPAddress.Parse("239.255.255.250"), 1900);

    /// <summary>Search targets, most useful first: the IGD device in both versions, then its connection services.</summary>
    public static readonly string[] SearchTargets =
    [
        "urn:schemas-upnp-org:device:InternetGatewayDevice:1",
        "urn:schemas-upnp-org:device:InternetGatewayDevice:2",
        "urn:schemas-upnp-org:service:WANIPConnection:1",
        "urn:schemas-upnp-org:service:WANPPPConnection:1",
    ];

    /// <summary>An SSDP answer is one datagram; real ones are a few hundred bytes.</summary>
    public const int MaxAnswer = 2048;

    public static byte[] SearchRequest(string searchTarget, int mxSeconds) => Encoding.ASCII.GetBytes(
        "M-SEARCH * HTTP/1.1\r\n" +
        "HOST: 239.255.255.250:1900\r\n" +
        "MAN: \"ssdp:discover\"\r\n" +
        $"MX: {mxSeconds}\r\n" +
        $"ST: {searchTarget}\r\n" +
        "\r\n");

    /// <summary>
    /// Searches from <paramref name="localAddress"/> and returns the answers that arrive within
    /// <paramref name="wait"/> (the first few, deduplicated by location). <paramref name="target"/>
    /// replaces the multicast group in tests (a unicast fake device).
    /// </summary>
    public static async Task<IReadOnlyList<SsdpAnswer>> SearchAsync(IPAddress localAddress, TimeSpan wait, CancellationToken cancellationToken, IPEndPoint? target = null)
    {
        ArgumentNullException.ThrowIfNull(localAddress);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(localAddress, 0));
        // The search leaves by the LAN interface only, and goes no further than the LAN (TTL 2 as the architecture recommends).
        socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, localAddress.GetAddressBytes());
        socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, 2);
        var destination = target ?? MulticastGroup;
        var mx = Math.Clamp((int)wait.TotalSeconds, 1, 5);
        foreach (var st in SearchTargets)
        {
            await socket.SendToAsync(SearchRequest(st, mx), SocketFlags.None, destination, cancellationToken).ConfigureAwait(false);
        }
        var answers = new List<SsdpAnswer>();
        var buffer = new byte[MaxAnswer + 1];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(wait);
        try
        {
            while (answers.Count < 8)
            {
                var received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), timeout.Token).ConfigureAwait(false);
                if (received.ReceivedBytes > MaxAnswer)
                {
                    continue;
                }
                var from = ((IPEndPoint)received.RemoteEndPoint).Address;
                if (ParseAnswer(buffer.AsSpan(0, received.ReceivedBytes), from) is { } answer && !answers.Exists(a => a.Location == answer.Location))
                {
                    answers.Add(answer);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The wait is over.
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionRefused)
        {
            // A unicast target that does not listen.
        }
        return answers;
    }

    /// <summary>
    /// Parses one answer: status line <c>HTTP/1.1 200 OK</c>, CRLF-separated headers, a
    /// <c>LOCATION</c> that is an absolute http URL whose host is <paramref name="from"/>, and an
    /// <c>ST</c>. Null for anything else (a NOTIFY, a garbled line, a location elsewhere).
    /// </summary>
    public static SsdpAnswer? ParseAnswer(ReadOnlySpan<byte> datagram, IPAddress from)
    {
        ArgumentNullException.ThrowIfNull(from);
        foreach (var b in datagram)
        {
            // Headers are ASCII text: control bytes other than CR, LF and TAB mean garbage.
            if (b > 126 || (b < 32 && b is not (byte)'\r' and not (byte)'\n' and not (byte)'\t'))
            {
                return null;
            }
        }
        var text = Encoding.ASCII.GetString(datagram);
        var lines = text.Split("\r\n");
        if (lines.Length < 2 || !(lines[0].StartsWith("HTTP/1.1 200", StringComparison.Ordinal) || lines[0].StartsWith("HTTP/1.0 200", StringComparison.Ordinal)))
        {
            return null;
        }
        string? location = null;
        string? st = null;
        foreach (var line in lines.Skip(1))
        {
            if (line.Length == 0)
            {
                break;
            }
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                return null;
            }
            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (name.Equals("LOCATION", StringComparison.OrdinalIgnoreCase))
            {
                location = value;
            }
            else if (name.Equals("ST", StringComparison.OrdinalIgnoreCase))
            {
                st = value;
            }
        }
        if (location is null || st is null || !Array.Exists(SearchTargets, t => t.Equals(st, StringComparison.Ordinal)))
        {
            return null;
        }
        if (!Uri.TryCreate(location, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp
            || !IPAddress.TryParse(uri.Host, out var host) || !host.Equals(from))
        {
            return null;
        }
        return new SsdpAnswer(from, uri, st);
    }
}
