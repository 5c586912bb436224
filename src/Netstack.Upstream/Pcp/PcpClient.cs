using System.Net;
using System.Security.Cryptography;
using Netstack.Upstream.Udp;

namespace Netstack.Upstream.Pcp;

/// <summary>PCP (RFC 6887) MAP requests towards the default gateway's UDP port 5351.</summary>
public sealed class PcpClient : IPortMappingClient
{
    private readonly IPEndPoint _server;
    private readonly RetryPolicy _retry;
    private readonly EpochTracker _epoch;

    public PcpClient(IPAddress gateway, IPAddress localAddress, RetryPolicy? retry = null, TimeProvider? time = null, int port = PcpMessages.Port)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        ArgumentNullException.ThrowIfNull(localAddress);
        _server = new IPEndPoint(gateway, port);
        LocalAddress = localAddress;
        _retry = retry ?? RetryPolicy.Default;
        _epoch = new EpochTracker(time ?? TimeProvider.System);
    }

    public UpstreamProtocol Protocol => UpstreamProtocol.Pcp;

    public IPAddress Router => _server.Address;

    public IPAddress LocalAddress { get; }

    /// <summary>A fresh random nonce for a new mapping (section 11.1: unpredictable, kept for renewals and deletion).</summary>
    public static byte[] NewNonce() => RandomNumberGenerator.GetBytes(PcpMessages.NonceLength);

    /// <summary>ANNOUNCE: whether the gateway speaks PCP, without creating anything on it.</summary>
    /// <exception cref="PortMappingException">No answer, or the gateway speaks another version (NAT-PMP only).</exception>
    public async Task AnnounceAsync(CancellationToken cancellationToken)
    {
        var (answer, dropped) = await UdpExchange.SendAsync(Protocol, _server, PcpMessages.AnnounceRequest(LocalAddress), _retry,
            data => PcpMessages.ParseAnnounceResponse(data.Span), LocalAddress, cancellationToken).ConfigureAwait(false);
        Check(answer, dropped);
        _epoch.Observe(answer!.Epoch);
    }

    /// <summary>
    /// PCP has no "external address" opcode: a short MAP of the discard port for UDP with a
    /// throw-away nonce tells it, and is deleted again at once.
    /// </summary>
    public async Task<IPAddress> GetExternalAddressAsync(CancellationToken cancellationToken)
    {
        var probe = new MappingRequest { Transport = MappingTransport.Udp, InternalPort = 9, ExternalPort = 0, Lifetime = TimeSpan.FromSeconds(30), Nonce = NewNonce() };
        var granted = await MapAsync(probe, cancellationToken).ConfigureAwait(false);
        try
        {
            await UnmapAsync(probe, granted.ExternalPort, cancellationToken).ConfigureAwait(false);
        }
        catch (PortMappingException)
        {
            // The probe's lease runs out by itself.
        }
        return granted.ExternalAddress!;
    }

    public async Task<GrantedMapping> MapAsync(MappingRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var lifetime = (uint)Math.Clamp(request.Lifetime.TotalSeconds, 1, uint.MaxValue);
        var answer = await ExchangeAsync(request, (ushort)request.ExternalPort, lifetime, cancellationToken).ConfigureAwait(false);
        return new GrantedMapping
        {
            Transport = request.Transport,
            InternalPort = answer.InternalPort,
            ExternalPort = answer.ExternalPort,
            ExternalAddress = answer.ExternalAddress,
            Lifetime = TimeSpan.FromSeconds(answer.Lifetime),
            RouterLostState = _epoch.Observe(answer.Epoch),
        };
    }

    public async Task UnmapAsync(MappingRequest request, int externalPort, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        // Section 15: lifetime 0 with the mapping's nonce, protocol and internal port deletes it.
        var answer = await ExchangeAsync(request, (ushort)externalPort, 0, cancellationToken).ConfigureAwait(false);
        _epoch.Observe(answer.Epoch);
    }

    public void Dispose()
    {
        // Each exchange owns its socket.
    }

    private async Task<PcpMapResponse> ExchangeAsync(MappingRequest request, ushort externalPort, uint lifetime, CancellationToken cancellationToken)
    {
        if (request.Nonce.Length != PcpMessages.NonceLength)
        {
            throw new ArgumentException($"a PCP mapping needs its {PcpMessages.NonceLength}-byte nonce", nameof(request));
        }
        var protocol = PcpMessages.ProtocolOf(request.Transport);
        var message = PcpMessages.MapRequest(LocalAddress, request.Nonce.Span, request.Transport, checked((ushort)request.InternalPort), externalPort, lifetime);
        var nonce = request.Nonce;
        var (answer, dropped) = await UdpExchange.SendAsync(Protocol, _server, message, _retry, data =>
        {
            var parsed = PcpMessages.ParseMapResponse(data.Span);
            if (parsed is null)
            {
                return null;
            }
            // An answer of success names our mapping: a different nonce, protocol or port is someone else's (or forged).
            if (parsed.Result == 0 && (!parsed.Nonce.Span.SequenceEqual(nonce.Span) || parsed.Protocol != protocol || parsed.InternalPort != request.InternalPort))
            {
                return null;
            }
            return parsed;
        }, LocalAddress, cancellationToken).ConfigureAwait(false);
        Check(answer, dropped);
        return answer!;
    }

    private void Check(PcpMapResponse? answer, int dropped)
    {
        if (answer is null)
        {
            throw dropped > 0
                ? new PortMappingException(Protocol, PortMappingFailure.Malformed, $"router {_server} sent {dropped} answer(s) that are not a PCP answer to this request, and no valid one within {_retry.Total.TotalSeconds:0.##} s")
                : new PortMappingException(Protocol, PortMappingFailure.Timeout, $"no answer from {_server} within {_retry.Total.TotalSeconds:0.##} s (the gateway does not speak PCP, or is down)");
        }
        if (answer.Result != 0)
        {
            var failure = answer.Result switch
            {
                1 or 4 or 5 or 9 => PortMappingFailure.Unsupported,
                11 => PortMappingFailure.Conflict,
                3 or 6 => PortMappingFailure.Malformed,
                _ => PortMappingFailure.Refused,
            };
            throw new PortMappingException(Protocol, failure, $"router {_server.Address} answered {PcpMessages.Describe(answer.Result)}") { RouterCode = answer.Result };
        }
    }
}
