using System.Net;
using Netstack.TestKit;
using Netstack.Upstream.NatPmp;
using Netstack.Upstream.Udp;
using Xunit;

namespace Netstack.Upstream.Tests;

public sealed class NatPmpTests
{
    // 100 ms doubling, 4 tries (1.5 s): room for a loaded machine's slow fake, short for the silent cases.
    private static readonly RetryPolicy Quick = new(TimeSpan.FromMilliseconds(100), 4);

    [Fact]
    public void ExternalAddressRequest_IsVersionZeroOpcodeZero()
    {
        // RFC 6886 section 3.2: two bytes, version 0 and opcode 0.
        Assert.Equal(new byte[] { 0, 0 }, NatPmpMessages.ExternalAddressRequest());
    }

    [Fact]
    public void MapRequest_Tcp8080For7200s_IsTheRfcLayout()
    {
        // Section 3.3: version 0, opcode 2 (TCP), reserved 0, internal port, suggested external port, lifetime (big-endian).
        var expected = new byte[] { 0x00, 0x02, 0x00, 0x00, 0x1F, 0x90, 0x1F, 0x91, 0x00, 0x00, 0x1C, 0x20 };
        Assert.Equal(expected, NatPmpMessages.MapRequest(MappingTransport.Tcp, 8080, 8081, 7200));
    }

    [Fact]
    public void MapRequest_Delete_IsLifetimeZeroAndExternalZero()
    {
        // Section 3.4: lifetime 0 and suggested external port 0 destroy the mapping of the internal port.
        var expected = new byte[] { 0x00, 0x01, 0x00, 0x00, 0x00, 0x35, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
        Assert.Equal(expected, NatPmpMessages.MapRequest(MappingTransport.Udp, 53, 0, 0));
    }

    [Fact]
    public void ParseResponse_ExternalAddress_ReadsEpochAndAddress()
    {
        var answer = new byte[] { 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x01, 0x2C, 0x64, 0xC8, 0x11, 0x01 };
        var parsed = NatPmpMessages.ParseResponse(answer, NatPmpMessages.OpExternalAddress);
        Assert.NotNull(parsed);
        Assert.Equal(300u, parsed.Epoch);
        Assert.Equal(IPAddress.Parse("100.200.17.1"), parsed.ExternalAddress);
    }

    [Fact]
    public void ParseResponse_Map_ReadsPortsAndLifetime()
    {
        var answer = new byte[] { 0x00, 0x82, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x1F, 0x90, 0x1F, 0x92, 0x00, 0x00, 0x00, 0x3C };
        var parsed = NatPmpMessages.ParseResponse(answer, NatPmpMessages.OpMapTcp);
        Assert.NotNull(parsed);
        Assert.Equal((ushort)8080, parsed.InternalPort);
        Assert.Equal((ushort)8082, parsed.ExternalPort);
        Assert.Equal(60u, parsed.Lifetime);
    }

    [Theory]
    [InlineData(new byte[] { 0x00, 0x81, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x1F, 0x90, 0x1F, 0x92, 0x00, 0x00, 0x00, 0x3C })] // UDP answer to a TCP request
    [InlineData(new byte[] { 0x01, 0x82, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x1F, 0x90, 0x1F, 0x92, 0x00, 0x00, 0x00, 0x3C })] // version 1
    [InlineData(new byte[] { 0x00, 0x82, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x1F, 0x90, 0x1F })] // short
    [InlineData(new byte[] { 0x00, 0x82, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x1F, 0x90, 0x1F, 0x92, 0x00, 0x00, 0x00, 0x3C, 0xFF })] // long
    [InlineData(new byte[] { 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x1F, 0x90, 0x1F, 0x92, 0x00, 0x00, 0x00, 0x3C })] // a request, not an answer
    public void ParseResponse_NotAnAnswer_IsNull(byte[] data) => Assert.Null(NatPmpMessages.ParseResponse(data, NatPmpMessages.OpMapTcp));

    [Fact]
    public void ParseResponse_ErrorWithHeaderOnly_KeepsTheResultCode()
    {
        var parsed = NatPmpMessages.ParseResponse([0x00, 0x82, 0x00, 0x02, 0x00, 0x00, 0x00, 0x05], NatPmpMessages.OpMapTcp);
        Assert.Equal((ushort)2, parsed!.Result);
    }

    private static byte[] MapAnswer(byte[] request, ushort external, uint lifetime, uint epoch, ushort result = 0)
    {
        var answer = new byte[16];
        answer[1] = (byte)(request[1] + 128);
        answer[3] = (byte)result;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(answer.AsSpan(4), epoch);
        request.AsSpan(4, 2).CopyTo(answer.AsSpan(8));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(answer.AsSpan(10), external);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(answer.AsSpan(12), lifetime);
        return answer;
    }

    private static MappingRequest Tcp8080 => new() { Transport = MappingTransport.Tcp, InternalPort = 8080, ExternalPort = 8080, Lifetime = TimeSpan.FromSeconds(120) };

    [Fact]
    public async Task Map_RouterGivesAnotherPort_ReturnsIt()
    {
        using var router = new FakeUdpRouter((req, _) => [MapAnswer(req, 8090, 120, 10)]);
        using var client = new NatPmpClient(IPAddress.Loopback, IPAddress.Loopback, Quick, port: router.Port);
        var granted = await client.MapAsync(Tcp8080, CancellationToken.None);
        Assert.Equal(8090, granted.ExternalPort);
        Assert.Equal(TimeSpan.FromSeconds(120), granted.Lifetime);
        Assert.False(granted.RouterLostState);
    }

    [Fact]
    public async Task Map_GatewayNeverAnswers_TimesOutAfterTheRetries()
    {
        using var router = new FakeUdpRouter((_, _) => []);
        using var client = new NatPmpClient(IPAddress.Loopback, IPAddress.Loopback, Quick, port: router.Port);
        var e = await Assert.ThrowsAsync<PortMappingException>(() => client.MapAsync(Tcp8080, CancellationToken.None));
        Assert.Equal(PortMappingFailure.Timeout, e.Failure);
        Assert.Contains("no answer", e.Message, StringComparison.Ordinal);
        Assert.Equal(4, router.Requests.Count);
    }

    [Fact]
    public async Task Map_GarbageAnswers_AreDroppedAndReportedAsMalformed()
    {
        using var router = new FakeUdpRouter((_, _) => [[0xde, 0xad], new byte[1500], new byte[16]]);
        using var client = new NatPmpClient(IPAddress.Loopback, IPAddress.Loopback, Quick, port: router.Port);
        var e = await Assert.ThrowsAsync<PortMappingException>(() => client.MapAsync(Tcp8080, CancellationToken.None));
        Assert.Equal(PortMappingFailure.Malformed, e.Failure);
        Assert.Contains("not NAT-PMP", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Map_GarbageThenTheAnswer_TakesTheAnswer()
    {
        using var router = new FakeUdpRouter((req, _) => [[0x00, 0x82, 0x00], MapAnswer(req, 8080, 120, 10)]);
        using var client = new NatPmpClient(IPAddress.Loopback, IPAddress.Loopback, Quick, port: router.Port);
        Assert.Equal(8080, (await client.MapAsync(Tcp8080, CancellationToken.None)).ExternalPort);
    }

    [Fact]
    public async Task Map_Refused_NamesTheResultCode()
    {
        using var router = new FakeUdpRouter((req, _) => [MapAnswer(req, 0, 0, 10, result: 2)]);
        using var client = new NatPmpClient(IPAddress.Loopback, IPAddress.Loopback, Quick, port: router.Port);
        var e = await Assert.ThrowsAsync<PortMappingException>(() => client.MapAsync(Tcp8080, CancellationToken.None));
        Assert.Equal(PortMappingFailure.Refused, e.Failure);
        Assert.Equal(2, e.RouterCode);
        Assert.Contains("not authorized", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Map_EpochStartsOver_ReportsRouterLostState()
    {
        var time = new FakeTimeProvider();
        uint epoch = 1000;
        using var router = new FakeUdpRouter((req, _) => [MapAnswer(req, 8080, 120, epoch)]);
        using var client = new NatPmpClient(IPAddress.Loopback, IPAddress.Loopback, Quick, time, router.Port);
        Assert.False((await client.MapAsync(Tcp8080, CancellationToken.None)).RouterLostState);
        time.Advance(TimeSpan.FromSeconds(60));
        epoch = 1060;
        Assert.False((await client.MapAsync(Tcp8080, CancellationToken.None)).RouterLostState);
        time.Advance(TimeSpan.FromSeconds(60));
        epoch = 3; // rebooted
        Assert.True((await client.MapAsync(Tcp8080, CancellationToken.None)).RouterLostState);
    }

    [Fact]
    public async Task Map_AnswerFromAnotherPort_IsNotBelieved()
    {
        // A valid answer, but from another port than the gateway's 5351 (here: the fake's): a spoof, dropped.
        using var other = new System.Net.Sockets.UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        using var router = new FakeUdpRouter((req, from) =>
        {
            other.Send(MapAnswer(req, 8080, 120, 10), from);
            return [];
        });
        using var client = new NatPmpClient(IPAddress.Loopback, IPAddress.Loopback, Quick, port: router.Port);
        var e = await Assert.ThrowsAsync<PortMappingException>(() => client.MapAsync(Tcp8080, CancellationToken.None));
        Assert.Equal(PortMappingFailure.Malformed, e.Failure);
    }

    [Fact]
    public async Task Map_NoRouteToTheGateway_IsATimeoutNamingIt()
    {
        // An IPv6 gateway from an IPv4-bound socket: the kernel refuses the send at once, as it does with no route.
        using var client = new NatPmpClient(IPAddress.IPv6Loopback, IPAddress.Loopback, Quick);
        var e = await Assert.ThrowsAsync<PortMappingException>(() => client.MapAsync(Tcp8080, CancellationToken.None));
        Assert.Equal(PortMappingFailure.Timeout, e.Failure);
        Assert.Contains("cannot reach [::1]:5351", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EpochTracker_ClockMovingWithOurs_IsNoLoss()
    {
        var time = new FakeTimeProvider();
        var tracker = new EpochTracker(time);
        Assert.False(tracker.Observe(500));
        time.Advance(TimeSpan.FromSeconds(3600));
        Assert.False(tracker.Observe(4100));
        time.Advance(TimeSpan.FromSeconds(100));
        Assert.True(tracker.Observe(4110)); // advanced far too little: restarted in between
    }
}
