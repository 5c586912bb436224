using System.Buffers.Binary;

namespace Netstack.Api.Contracts.Capture;

/// <summary>One frame of a run of classic pcap records.</summary>
public readonly ref struct PcapRecord(long timestampMicroseconds, int wireLength, ReadOnlySpan<byte> data)
{
    public long TimestampMicroseconds { get; } = timestampMicroseconds;

    public int WireLength { get; } = wireLength;

    public ReadOnlySpan<byte> Data { get; } = data;
}

/// <summary>
/// Walks classic pcap records (header, then bytes) in a span; a record that claims more bytes than
/// are left ends the walk (<see cref="Enumerator.Truncated"/>), so a damaged run is never read past its end.
/// </summary>
public readonly ref struct PcapRecords(ReadOnlySpan<byte> records)
{
    /// <summary>The pcap record header: ts_sec, ts_usec, incl_len, orig_len (u32 each).</summary>
    public const int HeaderLength = 16;

    private readonly ReadOnlySpan<byte> _records = records;

    public Enumerator GetEnumerator() => new(_records);

    public ref struct Enumerator(ReadOnlySpan<byte> records)
    {
        private readonly ReadOnlySpan<byte> _records = records;
        private int _offset;

        public PcapRecord Current { get; private set; }

        /// <summary>True when the walk stopped at a record that does not fit in what is left.</summary>
        public bool Truncated { get; private set; }

        public bool MoveNext()
        {
            if (_offset == _records.Length)
            {
                return false;
            }
            if (_records.Length - _offset < PcapRecords.HeaderLength)
            {
                Truncated = true;
                return false;
            }
            var header = _records[_offset..];
            var seconds = BinaryPrimitives.ReadUInt32LittleEndian(header);
            var micros = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
            var captured = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
            var wire = BinaryPrimitives.ReadUInt32LittleEndian(header[12..]);
            if (captured > (uint)(_records.Length - _offset - PcapRecords.HeaderLength) || wire > int.MaxValue)
            {
                Truncated = true;
                return false;
            }
            Current = new PcapRecord(seconds * 1_000_000L + micros, (int)wire, header.Slice(PcapRecords.HeaderLength, (int)captured));
            _offset += PcapRecords.HeaderLength + (int)captured;
            return true;
        }
    }
}
