using System.Net;
using System.Net.Sockets;
using Netstack.Api.Contracts.Capture;
using Netstack.Linux;
using Netstack.Privileged.Tests.Api;
using Netstack.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Netstack.Privileged.Tests.Capture;

/// <summary>
/// No frame is lost silently: a burst of a known number of whole frames is captured while the
/// client does not read, so the daemon's queue, the stream and then the kernel's ring fill and the
/// kernel must drop. Every frame of the burst is then accounted for: the kernel's filter saw each
/// (received = N), and what reached the client = what the daemon read = received - the kernel's
/// own drop counter. Before the drops were read with libpcap's real <c>struct pcap_stat</c>, the
/// kernel's drops read as 0 and a third to two-thirds of a busy capture went missing unexplained.
/// </summary>
public sealed class CaptureLossTests(ITestOutputHelper output)
{
    // More than the daemon's queue (8192 frames), the stream's buffers and a 32 MiB ring hold
    // (~22000 frames of 1442 bytes), so the kernel has to drop some.
    private const int Burst = 100_000;
    private const int Port = 9999;
    private const int Payload = 1400; // a 1442-byte frame: Ethernet 14 + IPv4 20 + UDP 8 + 1400

    [PrivilegedFact]
    public async Task BurstOfWholeFrames_ClientNotReading_EveryFrameReadOrCountedAsKernelDrop()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        using var client = daemon.Client();
        var (sa, sb) = await CaptureDaemonTests.TwoSandboxesAsync(client);
        // sb's address resolved first: a datagram waiting for ARP could be dropped before the interface.
        Assert.True(NetstackdProcess.Ping(sa.Key, sb.Ip), "sa could not ping sb");

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        // Ends on its duration, after the burst: the daemon then empties the kernel's ring and
        // sends its counters. The duration only has to outlast sending the burst.
        using var reader = await client.CaptureAsync(new CaptureRequest
        {
            Target = "sa",
            Filter = $"udp dst port {Port}",
            Raw = true,
            Decode = false,
            DurationSeconds = 20,
        }, timeout.Token);
        var first = await reader.ReadAsync(timeout.Token);
        Assert.Equal("eth0", Assert.IsType<CaptureEvent>(first).Interface?.Name);

        // Every datagram is offered to the capture on sa's eth0 as it leaves (the packet taps run
        // in the transmit path); none is read by the test until all have gone.
        using var ns = NetworkNamespace.Open(sa.Key);
        ns.Run(() =>
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            var to = new IPEndPoint(IPAddress.Parse(sb.Ip), Port);
            var datagram = new byte[Payload];
            for (var i = 0; i < Burst; i++)
            {
                udp.SendTo(datagram, to);
            }
            return 0;
        });

        long frames = 0;
        CaptureEnd? end = null;
        while (await reader.ReadAsync(timeout.Token) is { } record)
        {
            switch (record)
            {
                case CaptureBatchRecord b:
                    foreach (var f in b.Frames())
                    {
                        Assert.Equal(14 + 20 + 8 + Payload, f.WireLength);
                        Assert.Equal(f.WireLength, f.Data.Length); // whole frames
                        frames++;
                    }
                    break;
                case CaptureEvent { End: { } e }:
                    end = e;
                    break;
            }
        }
        Assert.NotNull(end);
        var counters = Assert.Single(end.Interfaces);
        output.WriteLine($"burst {Burst}: received {counters.Received}, dropped {counters.Dropped}, read {counters.Read}, streamed {frames}, end {end.Reason}");
        Assert.Equal("duration", end.Reason);
        Assert.Equal(Burst, counters.Received);
        Assert.True(counters.Dropped > 0, "the kernel dropped none: the burst did not outrun the buffers, so this test proved nothing");
        Assert.Equal(counters.Received - counters.Dropped, counters.Read);
        Assert.Equal(counters.Read, frames);
        Assert.Equal(frames, end.Packets);
    }
}
