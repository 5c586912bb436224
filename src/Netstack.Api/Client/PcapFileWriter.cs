using System.Buffers.Binary;
using System.Text;
using Netstack.Api.Contracts.Capture;

namespace Netstack.Api.Client;

/// <summary>An interface of a capture file: its pcap link type, snapshot length and name.</summary>
public sealed record PcapInterface(int LinkType, int Snaplen, string Name);

/// <summary>
/// Writes what <c>netstack debug capture -w</c> saved: a classic pcap file (microsecond timestamps)
/// when the capture has one interface, pcapng with one interface description per interface when it
/// has several (classic pcap has no field that says which interface a frame came from). Both are
/// little-endian, which every reader takes by the magic number.
/// </summary>
public sealed class PcapFileWriter : IDisposable
{
    // libpcap's file format (pcap-savefile(5)) and the pcapng draft (draft-ietf-opsawg-pcapng).
    private const uint PcapMagicMicroseconds = 0xa1b2c3d4;
    private const uint PcapngSectionHeader = 0x0A0D0D0A;
    private const uint PcapngByteOrderMagic = 0x1A2B3C4D;
    private const uint PcapngInterfaceDescription = 1;
    private const uint PcapngEnhancedPacket = 6;
    private const ushort PcapngOptionInterfaceName = 2;

    private readonly Stream _stream;
    private readonly bool _pcapng;

    public PcapFileWriter(Stream stream, IReadOnlyList<PcapInterface> interfaces)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(interfaces);
        if (interfaces.Count == 0)
        {
            throw new ArgumentException("a capture file needs at least one interface", nameof(interfaces));
        }
        _stream = stream;
        _pcapng = interfaces.Count > 1;
        if (_pcapng)
        {
            WriteSectionHeader();
            foreach (var i in interfaces)
            {
                WriteInterfaceDescription(i);
            }
        }
        else
        {
            Span<byte> header = stackalloc byte[24];
            BinaryPrimitives.WriteUInt32LittleEndian(header, PcapMagicMicroseconds);
            BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 2);
            BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 4);
            // thiszone and sigfigs: 0
            BinaryPrimitives.WriteUInt32LittleEndian(header[8..], 0);
            BinaryPrimitives.WriteUInt32LittleEndian(header[12..], 0);
            BinaryPrimitives.WriteUInt32LittleEndian(header[16..], (uint)interfaces[0].Snaplen);
            BinaryPrimitives.WriteUInt32LittleEndian(header[20..], (uint)interfaces[0].LinkType);
            _stream.Write(header);
        }
    }

    public long Packets { get; private set; }

    public void Write(int interfaceIndex, long timestampMicroseconds, int wireLength, ReadOnlySpan<byte> data)
    {
        if (_pcapng)
        {
            var padded = Pad4(data.Length);
            var total = 32 + padded;
            Span<byte> head = stackalloc byte[28];
            BinaryPrimitives.WriteUInt32LittleEndian(head, PcapngEnhancedPacket);
            BinaryPrimitives.WriteUInt32LittleEndian(head[4..], (uint)total);
            BinaryPrimitives.WriteUInt32LittleEndian(head[8..], (uint)interfaceIndex);
            // if_tsresol absent: microseconds, as a 64-bit count split high/low.
            BinaryPrimitives.WriteUInt32LittleEndian(head[12..], (uint)((ulong)timestampMicroseconds >> 32));
            BinaryPrimitives.WriteUInt32LittleEndian(head[16..], (uint)timestampMicroseconds);
            BinaryPrimitives.WriteUInt32LittleEndian(head[20..], (uint)data.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(head[24..], (uint)wireLength);
            _stream.Write(head);
            _stream.Write(data);
            WritePadding(padded - data.Length);
            WriteUInt32((uint)total);
        }
        else
        {
            Span<byte> head = stackalloc byte[16];
            BinaryPrimitives.WriteUInt32LittleEndian(head, (uint)(timestampMicroseconds / 1_000_000));
            BinaryPrimitives.WriteUInt32LittleEndian(head[4..], (uint)(timestampMicroseconds % 1_000_000));
            BinaryPrimitives.WriteUInt32LittleEndian(head[8..], (uint)data.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(head[12..], (uint)wireLength);
            _stream.Write(head);
            _stream.Write(data);
        }
        Packets++;
    }

    /// <summary>
    /// Writes <paramref name="count"/> frames given as classic pcap records (<see cref="PcapRecords"/>):
    /// into a classic pcap file as they are, into pcapng one enhanced packet block each.
    /// </summary>
    public void WriteRecords(int interfaceIndex, ReadOnlySpan<byte> records, int count)
    {
        if (!_pcapng)
        {
            _stream.Write(records);
            Packets += count;
            return;
        }
        foreach (var r in new PcapRecords(records))
        {
            Write(interfaceIndex, r.TimestampMicroseconds, r.WireLength, r.Data);
        }
    }

    public void Flush() => _stream.Flush();

    public void Dispose() => _stream.Dispose();

    private void WriteSectionHeader()
    {
        Span<byte> block = stackalloc byte[28];
        BinaryPrimitives.WriteUInt32LittleEndian(block, PcapngSectionHeader);
        BinaryPrimitives.WriteUInt32LittleEndian(block[4..], 28);
        BinaryPrimitives.WriteUInt32LittleEndian(block[8..], PcapngByteOrderMagic);
        BinaryPrimitives.WriteUInt16LittleEndian(block[12..], 1);
        BinaryPrimitives.WriteUInt16LittleEndian(block[14..], 0);
        // Section length unknown (-1): the file is written as the capture goes.
        BinaryPrimitives.WriteInt64LittleEndian(block[16..], -1);
        BinaryPrimitives.WriteUInt32LittleEndian(block[24..], 28);
        _stream.Write(block);
    }

    private void WriteInterfaceDescription(PcapInterface i)
    {
        var name = Encoding.UTF8.GetBytes(i.Name);
        var option = 4 + Pad4(name.Length);
        // type, length, link type + reserved, snaplen, options (if_name, opt_endofopt), length again.
        var total = 16 + option + 4 + 4;
        WriteUInt32(PcapngInterfaceDescription);
        WriteUInt32((uint)total);
        Span<byte> fixedPart = stackalloc byte[8];
        BinaryPrimitives.WriteUInt16LittleEndian(fixedPart, (ushort)i.LinkType);
        BinaryPrimitives.WriteUInt16LittleEndian(fixedPart[2..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(fixedPart[4..], (uint)i.Snaplen);
        _stream.Write(fixedPart);
        Span<byte> optionHead = stackalloc byte[4];
        BinaryPrimitives.WriteUInt16LittleEndian(optionHead, PcapngOptionInterfaceName);
        BinaryPrimitives.WriteUInt16LittleEndian(optionHead[2..], (ushort)name.Length);
        _stream.Write(optionHead);
        _stream.Write(name);
        WritePadding(Pad4(name.Length) - name.Length);
        WriteUInt32(0);
        WriteUInt32((uint)total);
    }

    private void WriteUInt32(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        _stream.Write(bytes);
    }

    private void WritePadding(int count)
    {
        Span<byte> zeros = stackalloc byte[4];
        zeros.Clear();
        _stream.Write(zeros[..count]);
    }

    private static int Pad4(int length) => (length + 3) & ~3;
}
