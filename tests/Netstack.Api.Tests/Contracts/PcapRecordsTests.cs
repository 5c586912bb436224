using System.Buffers.Binary;
using Netstack.Api.Client;
using Netstack.Api.Contracts.Capture;
using Xunit;

namespace Netstack.Api.Tests.Contracts;

/// <summary>Batches of classic pcap records, as a capture stream carries them, walked and written to files.</summary>
public sealed class PcapRecordsTests
{
    private static readonly (long Time, int Wire, byte[] Data)[] Frames =
    [
        (1_700_000_000_123_456, 60, Enumerable.Range(0, 60).Select(i => (byte)i).ToArray()),
        (1_700_000_001_000_001, 1514, Enumerable.Range(0, 128).Select(i => (byte)(255 - i)).ToArray()),
        (1_700_000_002_999_999, 3, [7, 8, 9]),
    ];

    private static byte[] Records()
    {
        var stream = new MemoryStream();
        foreach (var (time, wire, data) in Frames)
        {
            var head = new byte[PcapRecords.HeaderLength];
            BinaryPrimitives.WriteUInt32LittleEndian(head, (uint)(time / 1_000_000));
            BinaryPrimitives.WriteUInt32LittleEndian(head.AsSpan(4), (uint)(time % 1_000_000));
            BinaryPrimitives.WriteUInt32LittleEndian(head.AsSpan(8), (uint)data.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(head.AsSpan(12), (uint)wire);
            stream.Write(head);
            stream.Write(data);
        }
        return stream.ToArray();
    }

    [Fact]
    public void Walk_WholeRecords_EveryFrameWithTimeLengthAndBytes()
    {
        var i = 0;
        var walk = new PcapRecords(Records()).GetEnumerator();
        while (walk.MoveNext())
        {
            Assert.Equal(Frames[i].Time, walk.Current.TimestampMicroseconds);
            Assert.Equal(Frames[i].Wire, walk.Current.WireLength);
            Assert.Equal(Frames[i].Data, walk.Current.Data.ToArray());
            i++;
        }
        Assert.Equal(Frames.Length, i);
        Assert.False(walk.Truncated);
    }

    [Theory]
    [InlineData(10)]   // inside the first header
    [InlineData(50)]   // inside the first frame's bytes
    [InlineData(100)]  // inside the second header
    public void Walk_CutRecords_StopsBeforeTheCutAndSaysSo(int cut)
    {
        var walk = new PcapRecords(Records().AsSpan(0, cut)).GetEnumerator();
        var frames = 0;
        while (walk.MoveNext())
        {
            frames++;
        }
        Assert.True(walk.Truncated);
        Assert.Equal(cut < 16 + 60 ? 0 : 1, frames);
    }

    [Fact]
    public void WriteRecords_OneInterface_ClassicFileIsHeaderThenTheRecordsAsTheyAre()
    {
        var records = Records();
        var file = new MemoryStream();
        using (var writer = new PcapFileWriter(file, [new PcapInterface(1, 262144, "eth0")]))
        {
            writer.WriteRecords(0, records, Frames.Length);
            Assert.Equal(Frames.Length, writer.Packets);
        }
        var bytes = file.ToArray();
        Assert.Equal(24 + records.Length, bytes.Length);
        Assert.Equal(0xa1b2c3d4u, BinaryPrimitives.ReadUInt32LittleEndian(bytes));
        Assert.Equal(records, bytes[24..]);
    }

    [Fact]
    public void WriteRecords_SeveralInterfaces_SameBytesAsFrameByFrame()
    {
        PcapInterface[] interfaces = [new(1, 262144, "br0"), new(1, 262144, "vx-1")];
        var batched = new MemoryStream();
        using (var writer = new PcapFileWriter(batched, interfaces))
        {
            writer.WriteRecords(1, Records(), Frames.Length);
            Assert.Equal(Frames.Length, writer.Packets);
        }
        var single = new MemoryStream();
        using (var writer = new PcapFileWriter(single, interfaces))
        {
            foreach (var (time, wire, data) in Frames)
            {
                writer.Write(1, time, wire, data);
            }
        }
        Assert.Equal(single.ToArray(), batched.ToArray());
    }
}
