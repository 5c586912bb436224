using System.Net;
using Netstack.Upstream.Udp;

namespace Netstack.Upstream.NatPmp;

/// <summary>NAT-PMP (RFC 6886) towards the default gateway's UDP port 5351.</summary>
public sealed class NatPmpClient : IPortMappingClient
{
    private readonly IPEndPoint _server;
    private readonly RetryPolicy _retry;
    private readonly EpochTracker _epoch;

    public NatPmpClient(IPAddress gateway, IPAddress localAddress, RetryPolicy? retry = null, TimeProvider? time = null, int port = NatPmpMessages.Port)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        _server = new IPEndPoint(gateway, port);
        LocalAddress = localAddress;
        _retry = retry ?? RetryPolicy.Default;
        _epoch = new EpochTracker(time ?? TimeProvider.System);
    }

    public UpstreamProtocol Protocol => UpstreamProtocol.NatPmp;

    public IPAddress Router => _server.Address;

    public IPAddress LocalAddress { get; }

    public async Task<IPAddress> GetExternalAddressAsync(CancellationToken cancellationToken)
    {
        var answer = await ExchangeAsync(NatPmpMessages.ExternalAddressRequest(), NatPmpMessages.OpExternalAddress, cancellationToken).ConfigureAwait(false);
        _epoch.Observe(answer.Epoch);
        return answer.ExternalAddress!;
    }

    public async Task<GrantedMapping> MapAsync(MappingRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var lifetime = (uint)Math.Clamp(request.Lifetime.TotalSeconds, 1, uint.MaxValue);
        var message = NatPmpMessages.MapRequest(request.Transport, checked((ushort)request.InternalPort), checked((ushort)request.ExternalPort), lifetime);
        var answer = await ExchangeAsync(message, NatPmpMessages.OpcodeOf(request.Transport), cancellationToken).ConfigureAwait(false);
        if (answer.InternalPort != request.InternalPort)
        {
            throw new PortMappingException(Protocol, PortMappingFailure.Malformed, $"router {Router} answered for internal port {answer.InternalPort}, not {request.InternalPort}");
        }
        return new GrantedMapping
        {
            Transport = request.Transport,
            InternalPort = answer.InternalPort,
            ExternalPort = answer.ExternalPort,
            Lifetime = TimeSpan.FromSeconds(answer.Lifetime),
            RouterLostState = _epoch.Observe(answer.Epoch),
        };
    }

    public async Task UnmapAsync(MappingRequest request, int externalPort, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        // RFC 6886 section 3.4: lifetime 0 and suggested external port 0 delete the internal port's mapping.
        var message = NatPmpMessages.MapRequest(request.Transport, checked((ushort)request.InternalPort), 0, 0);
        var answer = await ExchangeAsync(message, NatPmpMessages.OpcodeOf(request.Transport), cancellationToken).ConfigureAwait(false);
        _epoch.Observe(answer.Epoch);
    }

    public void Dispose()
    {
        // Each exchange owns its socket: nothing is held between calls.
    }

    private async Task<NatPmpResponse> ExchangeAsync(byte[] request, byte opcode, CancellationToken cancellationToken)
    {
        var (answer, dropped) = await UdpExchange.SendAsync(Protocol, _server, request, _retry, data => NatPmpMessages.ParseResponse(data.Span, opcode), LocalAddress, cancellationToken).ConfigureAwait(false);
        if (answer is null)
        {
            throw dropped > 0
                ? new PortMappingException(Protocol, PortMappingFailure.Malformed, $"router {_server} sent {dropped} answer(s) that are not NAT-PMP, and no valid one within {_retry.Total.TotalSeconds:0.##} s")
                : new PortMappingException(Protocol, PortMappingFailure.Timeout, $"no answer from {_server} within {_retry.Total.TotalSeconds:0.##} s (the gateway does not speak NAT-PMP, or is down)");
        }
        if (answer.Result != 0)
        {
            var failure = answer.Result switch
            {
                1 or 5 => PortMappingFailure.Unsupported,
                _ => PortMappingFailure.Refused,
            };
            throw new PortMappingException(Protocol, failure, $"router {_server.Address} answered {NatPmpMessages.Describe(answer.Result)}") { RouterCode = answer.Result };
        }
        return answer;
    }
}
