using System.Buffers.Binary;
using System.Net;
using Netstack.Upstream.Pcp;
using Netstack.Upstream.Udp;
using Xunit;

namespace Netstack.Upstream.Tests;

public sealed class PcpTests
{
    // 100 ms doubling, 4 tries (1.5 s): room for a loaded machine's slow fake, short for the silent cases.
    private static readonly RetryPolicy Quick = new(TimeSpan.FromMilliseconds(100), 4);
    private static readonly byte[] Nonce = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

    [Fact]
    public void MapRequest_IsTheRfcLayout()
    {
        var message = PcpMessages.MapRequest(IPAddress.Parse("10.77.0.2"), Nonce, MappingTransport.Tcp, 8080, 8080, 120);
        var expected = new byte[]
        {
            // common header (RFC 6887 section 7.1): version 2, R=0 opcode MAP (1), reserved, lifetime 120
            0x02, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x78,
            // client address as IPv4-mapped IPv6 ::ffff:10.77.0.2
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 10, 77, 0, 2,
            // MAP (section 11.1): nonce, protocol 6, reserved, internal 8080, suggested external 8080
            1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x06, 0, 0, 0, 0x1F, 0x90, 0x1F, 0x90,
            // suggested external address: none, ::ffff:0.0.0.0
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0, 0, 0, 0,
        };
        Assert.Equal(expected, message);
    }

    [Fact]
    public void AnnounceRequest_IsTheHeaderWithOpcodeZero()
    {
        var message = PcpMessages.AnnounceRequest(IPAddress.Parse("10.77.0.2"));
        Assert.Equal(24, message.Length);
        Assert.Equal(new byte[] { 2, 0, 0, 0, 0, 0, 0, 0 }, message[..8]);
    }

    internal static byte[] Answer(byte[] request, byte result, ushort external, uint lifetime, uint epoch, byte[]? nonce = null)
    {
        var answer = new byte[60];
        answer[0] = 2;
        answer[1] = (byte)(request[1] | 0x80);
        answer[3] = result;
        BinaryPrimitives.WriteUInt32BigEndian(answer.AsSpan(4), lifetime);
        BinaryPrimitives.WriteUInt32BigEndian(answer.AsSpan(8), epoch);
        request.AsSpan(24, 36).CopyTo(answer.AsSpan(24));
        nonce?.CopyTo(answer.AsSpan(24));
        BinaryPrimitives.WriteUInt16BigEndian(answer.AsSpan(42), external);
        PcpMessages.WriteAddress(answer.AsSpan(44, 16), IPAddress.Parse("100.200.17.1"));
        return answer;
    }

    [Fact]
    public void ParseMapResponse_Success_ReadsAssignment()
    {
        var request = PcpMessages.MapRequest(IPAddress.Loopback, Nonce, MappingTransport.Udp, 53, 53, 60);
        var parsed = PcpMessages.ParseMapResponse(Answer(request, 0, 5353, 60, 77));
        Assert.NotNull(parsed);
        Assert.Equal(0, parsed.Result);
        Assert.Equal((ushort)5353, parsed.ExternalPort);
        Assert.Equal(17, parsed.Protocol);
        Assert.Equal(77u, parsed.Epoch);
        Assert.Equal(IPAddress.Parse("100.200.17.1"), parsed.ExternalAddress);
    }

    [Fact]
    public void ParseMapResponse_NatPmpOnlyRouter_IsUnsupportedVersion()
    {
        // A NAT-PMP server answers an unknown version with version 0, opcode + 128 and result 1 (RFC 6887 section 9).
        var parsed = PcpMessages.ParseMapResponse([0x00, 0x81, 0x00, 0x01, 0x00, 0x00, 0x00, 0x10]);
        Assert.Equal(1, parsed!.Result);
    }

    [Theory]
    [InlineData(23)]
    [InlineData(62)]   // not a multiple of 4
    [InlineData(1104)] // above the 1100-byte maximum
    public void ParseMapResponse_BadSize_IsNull(int size)
    {
        var data = new byte[size];
        data[0] = 2;
        data[1] = 0x81;
        Assert.Null(PcpMessages.ParseMapResponse(data));
    }

    [Fact]
    public async Task Map_AnswerWithAnotherNonce_IsNotOurs()
    {
        using var router = new FakeUdpRouter((req, _) => [Answer(req, 0, 8080, 120, 5, nonce: new byte[12])]);
        using var client = new PcpClient(IPAddress.Loopback, IPAddress.Loopback, Quick, port: router.Port);
        var e = await Assert.ThrowsAsync<PortMappingException>(() => client.MapAsync(Request, CancellationToken.None));
        Assert.Equal(PortMappingFailure.Malformed, e.Failure);
    }

    private static MappingRequest Request => new() { Transport = MappingTransport.Tcp, InternalPort = 8080, ExternalPort = 8080, Lifetime = TimeSpan.FromSeconds(120), Nonce = Nonce };

    [Fact]
    public async Task Map_Success_GivesPortAddressAndLifetime()
    {
        using var router = new FakeUdpRouter((req, _) => [Answer(req, 0, 8081, 100, 5)]);
        using var client = new PcpClient(IPAddress.Loopback, IPAddress.Loopback, Quick, port: router.Port);
        var granted = await client.MapAsync(Request, CancellationToken.None);
        Assert.Equal(8081, granted.ExternalPort);
        Assert.Equal(IPAddress.Parse("100.200.17.1"), granted.ExternalAddress);
        Assert.Equal(TimeSpan.FromSeconds(100), granted.Lifetime);
    }

    [Fact]
    public async Task Map_CannotProvideExternal_IsAConflict()
    {
        using var router = new FakeUdpRouter((req, _) => [Answer(req, 11, 0, 30, 5)]);
        using var client = new PcpClient(IPAddress.Loopback, IPAddress.Loopback, Quick, port: router.Port);
        var e = await Assert.ThrowsAsync<PortMappingException>(() => client.MapAsync(Request, CancellationToken.None));
        Assert.Equal(PortMappingFailure.Conflict, e.Failure);
        Assert.Contains("CANNOT_PROVIDE_EXTERNAL", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Announce_NatPmpOnlyRouter_IsUnsupported()
    {
        using var router = new FakeUdpRouter((_, _) => [[0x00, 0x80, 0x00, 0x01, 0x00, 0x00, 0x00, 0x10]]);
        using var client = new PcpClient(IPAddress.Loopback, IPAddress.Loopback, Quick, port: router.Port);
        var e = await Assert.ThrowsAsync<PortMappingException>(() => client.AnnounceAsync(CancellationToken.None));
        Assert.Equal(PortMappingFailure.Unsupported, e.Failure);
    }

    [Fact]
    public void ParseAnnounceResponse_OtherVersionClaimingSuccess_IsNull()
    {
        var answer = new byte[24];
        answer[0] = 7;
        answer[1] = 0x80;
        Assert.Null(PcpMessages.ParseAnnounceResponse(answer));
        answer[3] = 1; // UNSUPP_VERSION with the server's own version: believable
        Assert.Equal(1, PcpMessages.ParseAnnounceResponse(answer)!.Result);
    }

    [Fact]
    public async Task Announce_Silent_TimesOut()
    {
        using var router = new FakeUdpRouter((_, _) => []);
        using var client = new PcpClient(IPAddress.Loopback, IPAddress.Loopback, Quick, port: router.Port);
        var e = await Assert.ThrowsAsync<PortMappingException>(() => client.AnnounceAsync(CancellationToken.None));
        Assert.Equal(PortMappingFailure.Timeout, e.Failure);
    }

    [Fact]
    public async Task Unmap_SendsLifetimeZeroWithTheSameNonce()
    {
        using var router = new FakeUdpRouter((req, _) => [Answer(req, 0, 8080, 0, 5)]);
        using var client = new PcpClient(IPAddress.Loopback, IPAddress.Loopback, Quick, port: router.Port);
        await client.UnmapAsync(Request, 8080, CancellationToken.None);
        // A slow first answer may cost a retransmission: every request sent is the same deletion.
        Assert.NotEmpty(router.Requests);
        Assert.All(router.Requests, sent =>
        {
            Assert.Equal(0u, BinaryPrimitives.ReadUInt32BigEndian(sent.AsSpan(4)));
            Assert.Equal(Nonce, sent[24..36]);
        });
    }
}
